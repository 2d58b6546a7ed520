// npx tsx --conditions=react-server bench/bm25-feedback.ts [N]
// BM25 pseudo-relevance feedback (RM3-style) on the first N SciFact TRAIN queries (default 300):
// the words of the top-k BM25 passages, weighted by each passage's share of the BM25 score and by
// the word's share of the passage, give the m most likely new terms; the question plus those terms
// is searched again. Printed: nDCG@10 for BM25 alone and for hybrid as served (rankPassages, the
// served text weight), k = 0 being today's ranking. Reuses the chunk table and embeddings that
// bench:retrieval cached under .tmp/bench/ (docs/adr/0029). Then the same on the 12 regdocs questions.
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { DEFAULT_FUSION } from "@/lib/rag/fusion";
import { rankPassages } from "@/lib/rag/rank";
import type { HitWithVector } from "@/lib/vector/store";
import { chunkCorpus, openCorpusStore, type CorpusChunks } from "./corpus-store";
import { EmbeddingCache } from "./embed-cache";
import { runMain } from "./run-main";
import { mean, ndcgAt, rankDocuments } from "./metrics";
import { loadRegdocs, REGDOCS_QUESTIONS } from "./regdocs";
import { loadScifactCorpus, loadScifactQrels, loadScifactQueries } from "./scifact";

const VARIANTS: [k: number, m: number, repeat: number][] = [
  [0, 0, 1],
  [3, 5, 1],
  [3, 10, 1],
  [5, 5, 1],
  [5, 10, 1],
  [10, 10, 1],
  [5, 10, 2],
  [10, 20, 2],
];
const DEPTH = 100;
const STOP = new Set(
  "a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with we were which from has have had been than also our its can may more most other some these those only both between after before during while who whom whose what when where why how all any each".split(
    " ",
  ),
);

const words = (text: string) => (text.toLowerCase().match(/[a-z][a-z0-9-]{2,}/g) ?? []).filter((w) => !STOP.has(w));

/** The m likeliest new words of the top-k passages (relevance model 1), most likely first. */
export function expansionTerms(question: string, top: HitWithVector[], m: number): string[] {
  const asked = new Set(words(question));
  const total = top.reduce((s, h) => s + h.score, 0) || 1;
  const weight = new Map<string, number>();
  for (const h of top) {
    const ws = words(h.text);
    for (const w of ws) if (!asked.has(w)) weight.set(w, (weight.get(w) ?? 0) + h.score / total / ws.length);
  }
  return [...weight.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, m)
    .map(([w]) => w);
}

type Asked = { question: string; rel: Map<string, number> };

/** nDCG@10 per variant over one corpus's questions, for BM25 alone and hybrid as served. */
async function measure(corpus: CorpusChunks, asked: Asked[], embedder: Embedder, cache: EmbeddingCache) {
  const store = await openCorpusStore(embedder, corpus, cache);
  const access = { collectionIds: [corpus.collectionId], groupIds: [] };
  const results = new Map<string, number[]>();
  const record = (label: string, value: number) => results.set(label, [...(results.get(label) ?? []), value]);
  for (const { question, rel } of asked) {
    const [qv] = await embedder.embed([question]);
    const first = await store.textSearch(question, { access, limit: DEPTH, withVectors: true });
    const vector = await store.vectorSearch(qv!, { access, limit: DEPTH });
    for (const [k, m, repeat] of VARIANTS) {
      const expanded =
        k === 0
          ? question
          : [...Array<string>(repeat).fill(question), ...expansionTerms(question, first.slice(0, k), m)].join(" ");
      const text = k === 0 ? first : await store.textSearch(expanded, { access, limit: DEPTH, withVectors: true });
      const label = `k=${k} m=${m} question x${repeat}`;
      record(`${label} BM25`, ndcgAt(rankDocuments(text, corpus.keyOf), rel, 10));
      const ranked = rankPassages({
        question,
        queryVector: qv!,
        vector,
        text,
        limit: 2 * DEPTH,
        mode: "hybrid",
        floor: null,
        fusion: DEFAULT_FUSION,
      });
      record(`${label} hybrid`, ndcgAt(rankDocuments(ranked.hits, corpus.keyOf), rel, 10));
    }
  }
  await store.close();
  return results;
}

function print(title: string, results: Map<string, number[]>) {
  console.log(title);
  for (const [label, values] of results) console.log(`  ${label.padEnd(34)} ${mean(values).toFixed(4)}`);
}

async function main() {
  const n = Number(process.argv[2] ?? 300);
  const embedder = await createEmbedder();
  const cache = new EmbeddingCache(embedder);
  const sci = chunkCorpus("scifact", loadScifactCorpus(), embedder.maxTokens);
  const queries = loadScifactQueries();
  const train = [...loadScifactQrels("train").entries()].slice(0, n);
  const sciAsked = train.map(([id, rel]) => ({ question: queries.get(id)!, rel }));
  print(
    `SciFact TRAIN, first ${train.length} queries, nDCG@10 (no floor)`,
    await measure(sci, sciAsked, embedder, cache),
  );
  const reg = chunkCorpus("regdocs", await loadRegdocs(), embedder.maxTokens);
  const regAsked = REGDOCS_QUESTIONS.map(({ question, file }) => ({ question, rel: new Map([[file, 1]]) }));
  print(`regdocs, ${regAsked.length} questions, nDCG@10 (no floor)`, await measure(reg, regAsked, embedder, cache));
  await embedder.close();
}

runMain(main);
