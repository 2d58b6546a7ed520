import "server-only";
import { getDb } from "@/lib/server/db";
import { getGenerator } from "@/lib/models/generator-runtime";
import { getChunkStore, getEmbedder } from "@/lib/server/index-runtime";
import type { AskDeps } from "./ask";
import { asUnavailable } from "./unavailable";

/** The process's database, chunk store, embedder and generator, for the chat routes. */
export async function getAskDeps(): Promise<AskDeps> {
  try {
    const [db, store, embedder, generator] = await Promise.all([
      getDb(),
      getChunkStore(),
      getEmbedder(),
      getGenerator(),
    ]);
    return { db, store, embedder, generator };
  } catch (err) {
    throw asUnavailable(err);
  }
}
