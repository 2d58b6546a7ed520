// npx tsx --conditions=react-server bench/sentence-windows.ts [N] [K]
// Sentence windows on the first N SciFact TRAIN queries (default 100): USE-lite was trained on
// sentences, so a passage may be better scored by its best sentence window than by one vector of
// the whole chunk. Embedding every sentence of SciFact (~100k) is hours on the shared cores, so the
// dense score is changed on a candidate pool only: the top K (default 10) passages of the vector
// search and of BM25 for each question. Each pool passage's sentences are embedded (cached under
// .tmp/bench/); a window of w sentences is the normalised mean of their vectors. Baseline and
// variants fuse the same pool with the served weights (lib/rag/fusion.ts), so only the dense score
// differs. Printed: nDCG@10 per variant, and the served hybrid over the full lists for reference.
import { splitSentences } from "@/lib/rag/cite";
import { DEFAULT_FUSION, fuse } from "@/lib/rag/fusion";
import { createEmbedder } from "@/lib/models/embedder";
import { dot, l2Normalize, meanVector } from "@/lib/models/vector-math";
import { rankPassages } from "@/lib/rag/rank";
import type { Hit } from "@/lib/vector/store";
import { chunkCorpus, log, openCorpusStore } from "./corpus-store";
import { EmbeddingCache } from "./embed-cache";
import { runMain } from "./run-main";
import { mean, ndcgAt, rankDocuments } from "./metrics";
import { loadScifactCorpus, loadScifactQrels, loadScifactQueries } from "./scifact";

const DEPTH = 100;
const WINDOWS = [1, 2, 3];
/** Dense score = mix · best window + (1 − mix) · whole-chunk cosine. */
const MIXES = [1, 0.5];

function windowVectors(sentences: Float32Array[], w: number): Float32Array[] {
  if (sentences.length <= w) return [l2Normalize(meanVector(sentences, sentences[0]!.length))];
  const out: Float32Array[] = [];
  for (let i = 0; i + w <= sentences.length; i++)
    out.push(l2Normalize(meanVector(sentences.slice(i, i + w), sentences[0]!.length)));
  return out;
}

async function main() {
  const n = Number(process.argv[2] ?? 100);
  const k = Number(process.argv[3] ?? 10);
  const embedder = await createEmbedder();
  const sci = chunkCorpus("scifact", loadScifactCorpus(), embedder.maxTokens);
  const cache = new EmbeddingCache(embedder);
  const store = await openCorpusStore(embedder, sci, cache);
  const access = { collectionIds: [sci.collectionId], groupIds: [] };
  const queries = loadScifactQueries();
  const train = [...loadScifactQrels("train").entries()].slice(0, n);

  // First pass: the lists and the pool of every question, then every pool sentence embedded at once.
  const asked = [];
  for (const [id, rel] of train) {
    const question = queries.get(id)!;
    const [qv] = await embedder.embed([question]);
    const text = await store.textSearch(question, { access, limit: DEPTH, withVectors: true });
    const vector = await store.vectorSearch(qv!, { access, limit: DEPTH });
    asked.push({ question, rel, qv: qv!, text, vector });
  }
  const sentencesOf = new Map<string, string[]>();
  for (const a of asked)
    for (const h of [...a.vector.slice(0, k), ...a.text.slice(0, k)])
      if (!sentencesOf.has(h.id))
        sentencesOf.set(
          h.id,
          splitSentences(h.text)
            .map((s) => s.trim())
            .filter(Boolean),
        );
  const allSentences = [...new Set([...sentencesOf.values()].flat())];
  log(`  ${sentencesOf.size} pool passages, ${allSentences.length} distinct sentences to embed (cached)`);
  const t0 = performance.now();
  let last = 0;
  const vectors = await cache.embed(allSentences, (done, todo) => {
    if (performance.now() - last < 10_000 && done < todo) return;
    last = performance.now();
    log(`  embedded ${done}/${todo} sentences (${(done / ((performance.now() - t0) / 1000)).toFixed(1)}/s)`);
  });
  const vectorOf = new Map(allSentences.map((s, i) => [s, vectors[i]!]));

  const results = new Map<string, number[]>();
  const record = (label: string, value: number) => results.set(label, [...(results.get(label) ?? []), value]);
  for (const a of asked) {
    const served = rankPassages({
      question: a.question,
      queryVector: a.qv,
      vector: a.vector,
      text: a.text,
      limit: 2 * DEPTH,
      mode: "hybrid",
      floor: null,
      fusion: DEFAULT_FUSION,
    });
    record("served hybrid, full lists (reference)", ndcgAt(rankDocuments(served.hits, sci.keyOf), a.rel, 10));
    const textPool = a.text.slice(0, k);
    const pool = new Map<string, Hit & { vector?: Float32Array }>();
    for (const h of [...a.vector.slice(0, k), ...textPool]) pool.set(h.id, h);
    const chunkCosine = new Map<string, number>();
    for (const h of a.vector) chunkCosine.set(h.id, h.score);
    for (const h of a.text) chunkCosine.set(h.id, dot(a.qv, h.vector));
    const fusedWith = (dense: (id: string) => number) => {
      const vector = [...pool.values()].map((h) => ({ ...h, score: dense(h.id) })).sort((x, y) => y.score - x.score);
      return fuse({ vector, text: textPool, cosineOf: (h) => dense(h.id) }, DEFAULT_FUSION);
    };
    record(
      "pool, whole-chunk cosine (baseline)",
      ndcgAt(
        rankDocuments(
          fusedWith((id) => chunkCosine.get(id) ?? 0),
          sci.keyOf,
        ),
        a.rel,
        10,
      ),
    );
    record("pool, BM25 only", ndcgAt(rankDocuments(textPool, sci.keyOf), a.rel, 10));
    for (const w of WINDOWS) {
      const best = new Map<string, number>();
      for (const id of pool.keys()) {
        const sv = sentencesOf.get(id)!.map((s) => vectorOf.get(s)!);
        best.set(id, sv.length === 0 ? 0 : Math.max(...windowVectors(sv, w).map((v) => dot(a.qv, v))));
      }
      for (const mix of MIXES) {
        const dense = (id: string) => mix * best.get(id)! + (1 - mix) * (chunkCosine.get(id) ?? 0);
        record(
          `pool, ${w}-sentence windows, mix ${mix}`,
          ndcgAt(rankDocuments(fusedWith(dense), sci.keyOf), a.rel, 10),
        );
        const vectorOnly = [...pool.values()]
          .map((h) => ({ ...h, score: dense(h.id) }))
          .sort((x, y) => y.score - x.score);
        record(
          `pool, ${w}-sentence windows, mix ${mix}, vector only`,
          ndcgAt(rankDocuments(vectorOnly, sci.keyOf), a.rel, 10),
        );
      }
    }
    const chunkOnly = [...pool.values()]
      .map((h) => ({ ...h, score: chunkCosine.get(h.id) ?? 0 }))
      .sort((x, y) => y.score - x.score);
    record("pool, whole-chunk cosine, vector only", ndcgAt(rankDocuments(chunkOnly, sci.keyOf), a.rel, 10));
  }
  console.log(`SciFact TRAIN, first ${asked.length} queries, pool of top ${k} per list, nDCG@10 (no floor)`);
  for (const [label, values] of results) console.log(`  ${label.padEnd(48)} ${mean(values).toFixed(4)}`);
  await store.close();
  await embedder.close();
}

runMain(main);
