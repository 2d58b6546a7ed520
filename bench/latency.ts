// npm run bench:latency [-- --sizes 10000,100000] [--queries 200] [--rounds 3] [--corpus-chunks N]
// Retrieval latency, excluding the question's embedding, at 10k and 100k chunks with the access
// filter on, beside raw LanceDB for the same queries:
//   ours: searchPassages (vector + BM25 concurrently, each with the access prefilter, fusion,
//         term coverage, floor), with an embedder that hands back the question's vector from the
//         benchmark cache, so no embedding time is counted;
//   raw:  the same vector query and the same BM25 terms issued directly on the LanceDB table,
//         concurrently, same depth, no filter, no wrapper.
// Chunks are SciFact's real texts and USE-lite vectors (bench:retrieval's cache), copied into 20
// collections with slightly perturbed vectors to reach 100k; the caller reads 3 collections and
// one group, and every 7th document is restricted to a group. The vector index (IVF_HNSW_SQ)
// appears at 50k rows, as in production; its build time is printed.
// Effective dates: every 4th version is superseded (its interval ended a day ago), as older
// versions kept for "as of" questions are. A second pair times raw LanceDB with the access rule
// alone against the access rule plus the effective-date rule (what every search now carries), so
// the cost of the date filter is printed on its own. A third pair times our whole path for a
// question about now against the same question "as of" a date half a year back, when only the
// superseded versions were in effect (the filter then keeps a quarter of the rows).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { MatchQuery, type Table } from "@lancedb/lancedb";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { searchPassages } from "@/lib/rag/retrieve";
import { accessPredicate } from "@/lib/vector/access-filter";
import { effectivePredicate, OPEN_END_MS } from "@/lib/vector/effective-filter";
import { connectLance } from "@/lib/vector/lance-runtime";
import { toMatchText } from "@/lib/vector/fts-query";
import { DEFAULT_VECTOR_INDEX_THRESHOLD, DISTANCE } from "@/lib/vector/indexes";
import { openChunkStore, type AccessFilter, type ChunkRow, type ChunkStore } from "@/lib/vector/store";
import { chunkCorpus, log, uuidFor } from "./corpus-store";
import { EmbeddingCache } from "./embed-cache";
import { percentile } from "./metrics";
import { loadScifactCorpus, loadScifactQrels, loadScifactQueries } from "./scifact";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    queries: { type: "string", default: "200" },
    rounds: { type: "string", default: "3" },
    /** Use only the first N SciFact chunks as the texts copied up to each size (all by default). */
    "corpus-chunks": { type: "string" },
  },
});
const sizes = values.sizes!.split(",").map(Number);
/** What searchPassages searches each list to for the default 8 passages. */
const DEPTH = 50;
const COLLECTIONS = Array.from({ length: 20 }, (_, i) => uuidFor(`bench:latency:collection:${i}`));
const GROUP = uuidFor("bench:latency:group");
const OTHER_GROUP = uuidFor("bench:latency:other-group");
const ACCESS: AccessFilter = { collectionIds: COLLECTIONS.slice(0, 3), groupIds: [GROUP] };
const PER_VERSION = 1000;
const ROUNDS = Number(values.rounds);
const ENDED_UNTIL_MS = Date.now() - 86_400_000;
const ENDED_FROM_MS = ENDED_UNTIL_MS - 365 * 86_400_000;
/** A date when only the superseded versions were in effect. */
const AS_OF = new Date(ENDED_UNTIL_MS - 180 * 86_400_000);

/** The real embedder's vectors, looked up instead of computed: the benchmark excludes embedding. */
function precomputed(embedder: Embedder, vectors: Map<string, Float32Array>): Embedder {
  return {
    ...embedder,
    embed: async (texts) =>
      texts.map((t) => {
        const v = vectors.get(t);
        if (!v) throw new Error(`No cached vector for the question "${t.slice(0, 40)}".`);
        return v;
      }),
    close: async () => undefined,
  };
}

/** A unit vector near `v`: copies of the corpus must not be exact duplicates for the vector index. */
function perturb(v: Float32Array, seed: number): Float32Array {
  let state = (seed * 2654435761) % 2147483647 || 1;
  const out = new Float32Array(v.length);
  let norm = 0;
  for (let i = 0; i < v.length; i++) {
    state = (state * 16807) % 2147483647;
    out[i] = v[i]! + 0.02 * (state / 2147483647 - 0.5);
    norm += out[i]! * out[i]!;
  }
  return out.map((x) => x / Math.sqrt(norm));
}

async function fill(store: ChunkStore, texts: string[], vectors: Float32Array[], from: number, to: number) {
  for (let start = from; start < to; start += PER_VERSION) {
    const n = Math.min(PER_VERSION, to - start);
    const v = start / PER_VERSION;
    const versionId = uuidFor(`bench:latency:version:${v}`);
    const doc = {
      collectionId: COLLECTIONS[v % COLLECTIONS.length]!,
      documentId: uuidFor(`bench:latency:doc:${v}`),
      versionId,
    };
    const restrictedTo = v % 7 === 3 ? [GROUP] : v % 7 === 5 ? [OTHER_GROUP] : [];
    const interval =
      v % 4 === 1
        ? { effectiveFromMs: ENDED_FROM_MS, effectiveUntilMs: ENDED_UNTIL_MS }
        : { effectiveFromMs: ENDED_UNTIL_MS, effectiveUntilMs: OPEN_END_MS };
    const rows: ChunkRow[] = Array.from({ length: n }, (_, i) => {
      const k = start + i;
      const copy = Math.floor(k / texts.length);
      const base = vectors[k % texts.length]!;
      return {
        id: `${versionId}:${i}`,
        text: texts[k % texts.length]!,
        vector: copy === 0 ? base : perturb(base, k),
        ...doc,
        restrictedTo,
        ...interval,
        piiTypes: [],
        pageStart: null,
        pageEnd: null,
        headingPath: "",
        charStart: 0,
        charEnd: texts[k % texts.length]!.length,
        chunkIndex: i,
        title: `Benchmark document ${v}`,
      };
    });
    await store.replaceVersionChunks(versionId, rows);
  }
}

interface Percentiles {
  p50: number;
  p95: number;
}

/**
 * Both paths for each question, alternating which goes first, over several rounds: the machine is
 * shared, and timing one path after the other would charge any change in load to one of them.
 */
async function timePaired(
  questions: string[],
  paths: [(q: string) => Promise<unknown>, (q: string) => Promise<unknown>],
  rounds: number,
): Promise<[Percentiles, Percentiles]> {
  for (const q of questions.slice(0, 10)) for (const run of paths) await run(q);
  const samples: [number[], number[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    for (const [i, q] of questions.entries()) {
      const order = (i + round) % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) {
        const t = performance.now();
        await paths[k]!(q);
        samples[k]!.push(performance.now() - t);
      }
    }
  }
  return samples.map((ms) => {
    ms.sort((a, b) => a - b);
    return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) };
  }) as [Percentiles, Percentiles];
}

async function main() {
  const embedder = await createEmbedder({});
  const cache = new EmbeddingCache(embedder);
  const chunks = chunkCorpus("scifact", loadScifactCorpus(), embedder.maxTokens);
  const all = chunks.docs.flatMap((d) => d.rows.map((r) => r.text));
  // Fewer distinct texts (copied with perturbed vectors to the same row counts) when embedding the
  // whole corpus would take longer than the machine allows.
  const texts = values["corpus-chunks"] ? all.slice(0, Number(values["corpus-chunks"])) : all;
  log(`Loading ${texts.length} SciFact chunk vectors (embedding any not cached yet)`);
  const vectors = await cache.embed(texts);
  const queries = loadScifactQueries();
  const questions = [...loadScifactQrels("test").keys()].slice(0, Number(values.queries)).map((q) => queries.get(q)!);
  const qVectors = await cache.embed(questions);
  const fast = precomputed(embedder, new Map(questions.map((q, i) => [q, qVectors[i]!])));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-bench-latency-"));
  const store = await openChunkStore({ uri: dir, embedderId: embedder.id, dim: embedder.dim });
  const db = await connectLance(dir);
  let table: Table | null = null;
  const results: {
    rows: number;
    index: string;
    ours: Percentiles;
    raw: Percentiles;
    accessOnly: Percentiles;
    withDates: Percentiles;
    now: Percentiles;
    asOf: Percentiles;
    indexSeconds: number;
  }[] = [];
  try {
    let rows = 0;
    for (const size of sizes) {
      const t = performance.now();
      await fill(store, texts, vectors, rows, size);
      rows = size;
      const wrote = (performance.now() - t) / 1000;
      const t2 = performance.now();
      const report = await store.ensureIndexes();
      const indexSeconds = (performance.now() - t2) / 1000;
      log(
        `\n${rows} chunks: written in ${wrote.toFixed(0)} s; ensureIndexes (index build and upkeep) ${indexSeconds.toFixed(0)} s`,
      );
      table ??= await db.openTable("chunks");
      const ours = (q: string) => searchPassages({ store, embedder: fast, access: ACCESS, question: q });
      const raw = (q: string) => {
        const v = fast
          .embed([q])
          .then(([vec]) => table!.vectorSearch(vec!).distanceType(DISTANCE).limit(DEPTH).toArray());
        const terms = toMatchText(q);
        const f = terms
          ? table!.query().fullTextSearch(new MatchQuery(terms, "text")).limit(DEPTH).toArray()
          : Promise.resolve([]);
        return Promise.all([v, f]);
      };
      const [oursMs, rawMs] = await timePaired(questions, [ours, raw], ROUNDS);
      // The same vector + BM25 pair on the table, filtered by the access rule, with and without the date rule.
      const filtered = (predicate: string) => (q: string) => {
        const v = fast
          .embed([q])
          .then(([vec]) => table!.vectorSearch(vec!).distanceType(DISTANCE).where(predicate).limit(DEPTH).toArray());
        const terms = toMatchText(q);
        const f = terms
          ? table!.query().fullTextSearch(new MatchQuery(terms, "text")).where(predicate).limit(DEPTH).toArray()
          : Promise.resolve([]);
        return Promise.all([v, f]);
      };
      const access = accessPredicate(ACCESS)!;
      const [accessMs, datedMs] = await timePaired(
        questions,
        [filtered(access), filtered(`${access} AND ${effectivePredicate(Date.now())}`)],
        ROUNDS,
      );
      const asOfPath = (q: string) =>
        searchPassages({ store, embedder: fast, access: ACCESS, question: q, asOf: AS_OF });
      const [nowMs, asOfMs] = await timePaired(questions, [ours, asOfPath], ROUNDS);
      log(
        `  ours now p50 ${nowMs.p50.toFixed(1)} / p95 ${nowMs.p95.toFixed(1)} ms; ours as of ${AS_OF.toISOString().slice(0, 10)} p50 ${asOfMs.p50.toFixed(1)} / p95 ${asOfMs.p95.toFixed(1)} ms`,
      );
      log(
        `  access filter p50 ${accessMs.p50.toFixed(1)} / p95 ${accessMs.p95.toFixed(1)} ms; access + effective dates p50 ${datedMs.p50.toFixed(1)} / p95 ${datedMs.p95.toFixed(1)} ms`,
      );
      log(
        `  ours p50 ${oursMs.p50.toFixed(1)} / p95 ${oursMs.p95.toFixed(1)} ms; raw p50 ${rawMs.p50.toFixed(1)} / p95 ${rawMs.p95.toFixed(1)} ms`,
      );
      results.push({
        rows,
        index: report.vectorIndex ? "IVF_HNSW_SQ" : "none (exact)",
        ours: oursMs,
        raw: rawMs,
        accessOnly: accessMs,
        withDates: datedMs,
        now: nowMs,
        asOf: asOfMs,
        indexSeconds,
      });
    }
  } finally {
    table?.close();
    db.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await embedder.close();
  }

  console.log(
    `\nRetrieval latency excluding query embedding: ${questions.length} SciFact test questions × ${ROUNDS} rounds, paired; depth ${DEPTH} per list`,
  );
  console.log(
    `(caller reads ${ACCESS.collectionIds.length} of ${COLLECTIONS.length} collections; vector index from ${DEFAULT_VECTOR_INDEX_THRESHOLD} rows)`,
  );
  console.log("  chunks   vector index   index build   ours p50 / p95 (ms)   raw p50 / p95 (ms)   p95 ours/raw");
  for (const r of results) {
    console.log(
      `  ${String(r.rows).padStart(6)}   ${r.index.padEnd(12)}   ${`${r.indexSeconds.toFixed(0)} s`.padStart(11)}   ${r.ours.p50.toFixed(1).padStart(7)} / ${r.ours.p95.toFixed(1).padEnd(7)}    ${r.raw.p50.toFixed(1).padStart(7)} / ${r.raw.p95.toFixed(1).padEnd(7)}   ${(r.ours.p95 / r.raw.p95).toFixed(2)}×`,
    );
  }
  console.log("\nEffective-date filter (raw LanceDB, vector + BM25, every 4th version superseded):");
  console.log("  chunks   access only p50 / p95 (ms)   access + dates p50 / p95 (ms)");
  for (const r of results) {
    console.log(
      `  ${String(r.rows).padStart(6)}   ${r.accessOnly.p50.toFixed(1).padStart(11)} / ${r.accessOnly.p95.toFixed(1).padEnd(12)}   ${r.withDates.p50.toFixed(1).padStart(14)} / ${r.withDates.p95.toFixed(1)}`,
    );
  }
  console.log("\nAs of a past date (our whole path, access + date filter inside both searches):");
  console.log("  chunks   now p50 / p95 (ms)   as of p50 / p95 (ms)");
  for (const r of results) {
    console.log(
      `  ${String(r.rows).padStart(6)}   ${r.now.p50.toFixed(1).padStart(7)} / ${r.now.p95.toFixed(1).padEnd(9)}   ${r.asOf.p50.toFixed(1).padStart(9)} / ${r.asOf.p95.toFixed(1)}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
