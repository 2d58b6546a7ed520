// npx tsx --conditions=react-server bench/dense-feedback.ts [N]
// Dense pseudo-relevance feedback on the first N SciFact TRAIN queries (default 300): the question's
// vector moved toward the mean vector of its top-k BM25 passages, q' = normalize(q + beta * mean),
// then the vector search runs with q' and rankPassages fuses as served. Prints nDCG@10 per (k, beta)
// for vector only and for hybrid at several text weights; k = 0 is today's ranking. Reuses the
// chunk table and embeddings bench:retrieval cached under .tmp/bench/ (docs/adr/0029).
import { createEmbedder } from "@/lib/models/embedder";
import { rankPassages } from "@/lib/rag/rank";
import { chunkCorpus, openCorpusStore } from "./corpus-store";
import { EmbeddingCache } from "./embed-cache";
import { mean, ndcgAt, rankDocuments } from "./metrics";
import { loadScifactCorpus, loadScifactQrels, loadScifactQueries } from "./scifact";

const VARIANTS: [k: number, beta: number][] = [
  [0, 0],
  [3, 0.5],
  [3, 1],
  [5, 0.5],
  [5, 1],
  [5, 2],
  [10, 1],
  [10, 2],
];
const TEXT_WEIGHTS = [0.5, 0.6, 0.7, 0.8];
const DEPTH = 100;

function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  return v.map((x) => x / n);
}

async function main() {
  const n = Number(process.argv[2] ?? 300);
  const embedder = await createEmbedder();
  const sci = chunkCorpus("scifact", loadScifactCorpus(), embedder.maxTokens);
  const store = await openCorpusStore(embedder, sci, new EmbeddingCache(embedder));
  const access = { collectionIds: [sci.collectionId], groupIds: [] };
  const queries = loadScifactQueries();
  const train = [...loadScifactQrels("train").entries()].slice(0, n);
  const results = new Map<string, number[]>();
  const record = (label: string, value: number) => results.set(label, [...(results.get(label) ?? []), value]);
  for (const [id, rel] of train) {
    const question = queries.get(id)!;
    const [qv] = await embedder.embed([question]);
    const text = await store.textSearch(question, { access, limit: DEPTH, withVectors: true });
    record("BM25 only", ndcgAt(rankDocuments(text, sci.keyOf), rel, 10));
    for (const [k, beta] of VARIANTS) {
      let q = qv!;
      const top = text.slice(0, k);
      if (top.length > 0) {
        const feedback = new Float32Array(q.length);
        for (const h of top) for (let i = 0; i < feedback.length; i++) feedback[i]! += h.vector[i]! / top.length;
        q = normalize(q.map((x, i) => x + beta * feedback[i]!));
      }
      const vector = await store.vectorSearch(q, { access, limit: DEPTH });
      record(`k=${k} beta=${beta} vector only`, ndcgAt(rankDocuments(vector, sci.keyOf), rel, 10));
      for (const textWeight of TEXT_WEIGHTS) {
        const ranked = rankPassages({
          question,
          queryVector: q,
          vector,
          text,
          limit: 2 * DEPTH,
          mode: "hybrid",
          floor: null,
          fusion: { textWeight },
        });
        record(`k=${k} beta=${beta} hybrid w=${textWeight}`, ndcgAt(rankDocuments(ranked.hits, sci.keyOf), rel, 10));
      }
    }
  }
  console.log(`SciFact TRAIN, first ${train.length} queries, nDCG@10 (no floor)`);
  for (const [label, values] of results) console.log(`  ${label.padEnd(30)} ${mean(values).toFixed(4)}`);
  await store.close();
  await embedder.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
