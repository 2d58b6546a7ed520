// One writer process on the chunk table in an S3 bucket, as an ingestion worker writes it: opens
// the table with the write lock the configuration asks for (LANCEDB_URI, LANCEDB_COMMIT_LOCK,
// DATABASE_URL, the S3_* settings, all from the environment) and commits WRITES versions of
// ROWS chunks each, one commit per version. Prints {"versions": [...], "ms": N} on stdout.
// Started by lib/vector/store-s3.test.ts and bench/workers.ts.
import { randomUUID } from "node:crypto";
import { openDatabase } from "@/db/client";
import { env } from "@/lib/env";
import { chunkRow, docFixture, seededUnitVector } from "@/lib/vector/chunk-fixtures";
import { openChunkStore } from "@/lib/vector/store";
import { writeLockFor } from "@/lib/vector/write-lock";

async function main() {
  const [writes, rows, collectionId] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!];
  const e = env();
  const handle = await openDatabase({ url: e.DATABASE_URL!, poolMax: 2 });
  const writeLock = await writeLockFor(e, async () => handle);
  const store = await openChunkStore({ uri: e.lanceUri, embedderId: "s3-writer@1", dim: 8, writeLock });
  const versions: string[] = [];
  const started = performance.now();
  for (let i = 0; i < writes; i++) {
    const doc = { ...docFixture(collectionId), versionId: randomUUID() };
    await store.replaceVersionChunks(
      doc.versionId,
      Array.from({ length: rows }, (_, j) =>
        chunkRow(doc, j, `passage ${j} of ${doc.versionId}`, seededUnitVector(8, j + 1)),
      ),
    );
    versions.push(doc.versionId);
  }
  const ms = performance.now() - started;
  await store.close();
  await handle.close();
  process.stdout.write(JSON.stringify({ versions, ms }));
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
