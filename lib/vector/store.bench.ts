// Search latency with the access filter, printed as figures (not a test):
//   node --conditions=react-server --import tsx lib/vector/store.bench.ts [rows ...] [--with-index]
// --with-index: the vector index is built when the last size is reached (its build time is
// then part of the "optimize" figure).
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chunkRow, docFixture, seededUnitVector } from "./chunk-fixtures";
import { openChunkStore, type AccessFilter, type ChunkStore } from "./store";

const DIM = 512;
const WORDS =
  "admission discharge ward dose heparin insulin mortgage loan account transfer audit policy procedure consent record staff training budget committee incident report".split(
    " ",
  );
const collections = Array.from({ length: 20 }, () => randomUUID());
const group = randomUUID();
const access: AccessFilter = { collectionIds: collections.slice(0, 3), groupIds: [group] };

/** Bulk fill in 1000-chunk versions over 20 collections; the caller reads 3 of them. */
async function fill(store: ChunkStore, from: number, to: number) {
  for (let start = from; start < to; start += 1000) {
    const n = Math.min(1000, to - start);
    const doc = docFixture(collections[(start / 1000) % 20]!);
    await store.replaceVersionChunks(doc.versionId, makeRows(doc, start, n));
  }
}

function makeRows(doc: ReturnType<typeof docFixture>, first: number, n: number) {
  return Array.from({ length: n }, (_, i) => {
    const k = first + i;
    const text =
      Array.from({ length: 180 }, (_, j) => WORDS[(k * 7 + j * 13) % WORDS.length]).join(" ") + ` marker${k}`;
    return chunkRow({ ...doc, restrictedTo: k % 7 === 0 ? [group] : [] }, i, text, seededUnitVector(DIM, k + 1));
  });
}

async function time(label: string, fn: (i: number) => Promise<unknown>, runs = 40) {
  await fn(0);
  const samples: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const p = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(1);
  console.log(`${label.padEnd(44)} p50 ${p(0.5)} ms  p95 ${p(0.95)} ms`);
}

async function main() {
  const args = process.argv.slice(2);
  const sizes = args.map(Number).filter((n) => n > 0);
  if (sizes.length === 0) sizes.push(10_000);
  const threshold = args.includes("--with-index") ? sizes.at(-1)! : Number.MAX_SAFE_INTEGER;
  const dir = await mkdtemp(path.join(os.tmpdir(), "store-bench-"));
  const store = await openChunkStore({ uri: dir, embedderId: "bench", dim: DIM, vectorIndexThreshold: threshold });
  let rows = 0;
  try {
    for (const size of sizes) {
      const t = performance.now();
      await fill(store, rows, size);
      rows = size;
      const filled = performance.now() - t;
      const t2 = performance.now();
      const report = await store.ensureIndexes();
      console.log(
        `\n${rows} rows (${DIM}-dim): wrote in ${(filled / 1000).toFixed(1)} s, optimize ${((performance.now() - t2) / 1000).toFixed(1)} s`,
      );
      await time(`vectorSearch, filter, ${report.vectorIndex ? "HNSW-SQ" : "brute force"}, limit 20`, (i) =>
        store.vectorSearch(seededUnitVector(DIM, 10_000_000 + i), { access, limit: 20 }),
      );
      await time("textSearch (BM25), filter, limit 20", (i) =>
        store.textSearch(`heparin dose marker${i * 37}`, { access, limit: 20 }),
      );
      // One 50-chunk document ingested as the pipeline does it: replace, then ensureIndexes.
      await time(
        "replace a 50-chunk version",
        (i) => {
          const doc = docFixture(collections[i % 20]!);
          return store.replaceVersionChunks(doc.versionId, makeRows(doc, 20_000_000 + i * 50, 50));
        },
        10,
      );
      await time("ensureIndexes after it", () => store.ensureIndexes(), 10);
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
