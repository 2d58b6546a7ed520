import "server-only";
import { getDb } from "@/lib/server/db";
import { getGenerator } from "@/lib/models/generator-runtime";
import { getChunkStore, getEmbedder, getReranker } from "@/lib/server/index-runtime";
import type { AskDeps } from "./ask";
import { asUnavailable } from "./unavailable";

/** The process's database, chunk store, embedder, generator and reranker, for the chat routes. */
export async function getAskDeps(): Promise<AskDeps> {
  try {
    const [db, store, embedder, generator, reranker] = await Promise.all([
      getDb(),
      getChunkStore(),
      getEmbedder(),
      getGenerator(),
      getReranker(),
    ]);
    return { db, store, embedder, generator, reranker };
  } catch (err) {
    throw asUnavailable(err);
  }
}
