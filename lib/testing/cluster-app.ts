// One app node of a test cluster (lib/storage/cluster.test.ts): its own DATA_DIR, the shared
// PostgreSQL and bucket from the environment, and the same verbs the routes call. Commands:
//   upload <collectionId> <fileName> <text>   → {"documentId", "versionId"}
//   ask <userId> <question>                   → {"answer", "citations": [documentId…]}
//   delete <documentId>                       → {"deleted": true}
import { closeDb, getDatabaseHandle } from "@/lib/server/db";
import { actorFromUserId } from "@/lib/auth/actor";
import { getAskDeps } from "@/lib/chat/runtime";
import type { ChatEvent } from "@/lib/chat/types";
import { prepareAnswer } from "@/lib/chat/ask";
import { deleteDocument } from "@/lib/documents/manage";
import { acceptUpload } from "@/lib/documents/upload";
import { env } from "@/lib/env";
import { getChunkIndex } from "@/lib/server/index-runtime";
import { SYSTEM_ACTOR } from "@/lib/audit/types";

async function main() {
  const [command, ...args] = process.argv.slice(2);
  const e = env();
  const { db } = await getDatabaseHandle();
  let out: unknown;
  if (command === "upload") {
    const [collectionId, fileName, text] = args as [string, string, string];
    const r = await acceptUpload(
      { actor: SYSTEM_ACTOR, db },
      { dataDir: e.dataDir, maxUploadBytes: e.maxUploadBytes },
      { collectionId, fileName, bytes: new TextEncoder().encode(text) },
    );
    if (r.status !== "queued") throw new Error(`upload: ${r.status}`);
    out = { documentId: r.documentId, versionId: r.versionId };
  } else if (command === "ask") {
    const [userId, question] = args as [string, string];
    const actor = await actorFromUserId(db, userId);
    if (!actor) throw new Error("no such user");
    const prepared = await prepareAnswer(await getAskDeps(), actor, { message: question });
    const events: ChatEvent[] = [];
    const final = await prepared.run((ev) => events.push(ev), new AbortController().signal);
    out = { answer: final?.answer ?? null, citations: (final?.citations ?? []).map((c) => c.documentId) };
  } else if (command === "delete") {
    await deleteDocument({ actor: SYSTEM_ACTOR, db }, await getChunkIndex(), {
      documentId: args[0]!,
      dataDir: e.dataDir,
    });
    out = { deleted: true };
  } else throw new Error(`unknown command ${command}`);
  process.stdout.write(`\nRESULT ${JSON.stringify(out)}\n`);
  await closeDb();
  process.exit(0);
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
