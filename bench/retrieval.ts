// npm run bench:retrieval [-- --tune [--floor-only]] [--embedding-model <gguf>] [--limit-queries N]
// Retrieval quality through the product's own code, on SciFact's TEST split:
//   1. every abstract (title + text) goes through the chunker into a LanceDB ChunkStore with the
//      default embedder (cached under .tmp/bench/<embedder>/, so reruns skip the embedding);
//   2. every query goes through searchPassages with an access filter; a document's score is its
//      best passage's; nDCG@10 and Recall@100 for BM25 only, vector only and hybrid;
//   3. the relevance floor: how many test queries it leaves without passages (false cuts), how
//      many relevant passages it drops, and how many held-out off-topic questions it rejects, over
//      SciFact and over real regulatory documents (HIPAA, NIST SP 800-63, HIPAA policies).
// --tune prints the sweeps on the TRAIN split that chose the fusion weight and the floor.
// --embedding-model measures a GGUF embedder instead of the default (its floor then needs tuning);
// --reranker-model adds a GGUF cross-encoder to the served run (RERANKER_MODEL_PATH).
// The issue 17 targets are printed beside the figures measured before this round (docs/adr/0029).
import { parseArgs } from "node:util";
import { createEmbedder } from "@/lib/models/embedder";
import { loadGgufReranker } from "@/lib/models/reranker";
import { searchPassages, type SearchPassagesOptions } from "@/lib/rag/retrieve";
import type { FusedHit } from "@/lib/rag/types";
import { EmbeddingCache } from "./embed-cache";
import { chunkCorpus, log, openCorpusStore } from "./corpus-store";
import { mean, ndcgAt, rankDocuments, recallAt } from "./metrics";
import { OFF_TOPIC_HELD_OUT } from "./off-topic";
import { loadRegdocs, REGDOCS_QUESTIONS } from "./regdocs";
import { tune } from "./retrieval-tune";
import { loadScifactCorpus, loadScifactQrels, loadScifactQueries } from "./scifact";

const { values } = parseArgs({
  options: {
    tune: { type: "boolean", default: false },
    "floor-only": { type: "boolean", default: false },
    "embedding-model": { type: "string" },
    "reranker-model": { type: "string" },
    "limit-queries": { type: "string" },
  },
});
/** Enough passages for 100 distinct documents in almost every query (Recall@100). */
const RANKING_LIMIT = 200;
/** SciFact test nDCG@10 with the embedded defaults before issue 17 §2 (same command, same tables). */
const BEFORE: Record<string, number> = {
  "BM25 only": 0.6775,
  "vector only": 0.235,
  "hybrid (as served)": 0.6855,
};
/** Issue 17 §2: hybrid as served at least this, and clearly above BM25 alone (by at least MIN_HYBRID_GAIN). */
const TARGET_HYBRID = 0.72;
const MIN_HYBRID_GAIN = 0.01;
/**
 * What was tried on SciFact TRAIN (and the regdocs questions) to close the gap with the embedded
 * model, and dropped: each one's best hybrid nDCG@10 against the same run without it (docs/adr/0029).
 */
const TRIED_ON_TRAIN: [idea: string, best: number, without: number, command: string][] = [
  [
    "dense feedback (question vector moved toward its top BM25 passages)",
    0.6833,
    0.6874,
    "bench/dense-feedback.ts 300",
  ],
  ["BM25 feedback (RM3-style expansion terms)", 0.6527, 0.6874, "bench/bm25-feedback.ts 300"],
  [
    "sentence windows (passage scored by its best window, top-10 pool)",
    0.6507,
    0.6562,
    "bench/sentence-windows.ts 100 10",
  ],
];

async function main() {
  const embedder = await createEmbedder({ modelPath: values["embedding-model"] });
  const reranker = values["reranker-model"] ? await loadGgufReranker({ modelPath: values["reranker-model"] }) : null;
  const cache = new EmbeddingCache(embedder);
  log(`Embedder ${embedder.id}; building or reusing the benchmark chunk tables`);
  const sciChunks = chunkCorpus("scifact", loadScifactCorpus(), embedder.maxTokens);
  const regChunks = chunkCorpus("regdocs", await loadRegdocs(), embedder.maxTokens);
  const sciStore = await openCorpusStore(embedder, sciChunks, cache);
  const regStore = await openCorpusStore(embedder, regChunks, cache);
  const queries = loadScifactQueries();
  console.log(
    `SciFact: ${sciChunks.docs.length} abstracts → ${sciChunks.chunkCount} chunks; regdocs: ${regChunks.docs.length} documents → ${regChunks.chunkCount} chunks; embedder ${embedder.id}`,
  );

  if (values.tune) {
    await tune(
      embedder,
      { store: sciStore, chunks: sciChunks },
      { store: regStore, chunks: regChunks },
      queries,
      loadScifactQrels("train"),
      { floorOnly: values["floor-only"]! },
    );
  } else {
    let test = [...loadScifactQrels("test").entries()];
    if (values["limit-queries"]) test = test.slice(0, Number(values["limit-queries"]));
    const sciSearch = (question: string, extra: Partial<SearchPassagesOptions>) =>
      searchPassages({
        store: sciStore,
        embedder,
        access: { collectionIds: [sciChunks.collectionId], groupIds: [] },
        question,
        ...extra,
      });
    const regSearch = (question: string) =>
      searchPassages({
        store: regStore,
        embedder,
        access: { collectionIds: [regChunks.collectionId], groupIds: [] },
        question,
      });

    console.log(
      `\nSciFact TEST: ${test.length} queries, through searchPassages (access filter on), document = best passage`,
    );
    console.log("  run                       nDCG@10   Recall@100   before");
    const runs: [string, Partial<SearchPassagesOptions>][] = [
      ["BM25 only", { mode: "text", floor: null }],
      ["vector only", { mode: "vector", floor: null }],
      ["hybrid (no floor)", { mode: "hybrid", floor: null }],
      ["hybrid (as served)", { mode: "hybrid", reranker }],
    ];
    const measured = new Map<string, number>();
    const servedHits: FusedHit[][] = [];
    const unfloored: FusedHit[][] = [];
    for (const [label, extra] of runs) {
      const ndcg: number[] = [];
      const recall: number[] = [];
      for (const [q, rel] of test) {
        const r = await sciSearch(queries.get(q)!, { ...extra, limit: RANKING_LIMIT });
        const ranked = rankDocuments(r.hits, sciChunks.keyOf);
        ndcg.push(ndcgAt(ranked, rel, 10));
        recall.push(recallAt(ranked, rel, 100));
        if (label === "hybrid (as served)") servedHits.push(r.hits);
        if (label === "hybrid (no floor)") unfloored.push(r.hits);
      }
      measured.set(label, mean(ndcg));
      const before = BEFORE[label] === undefined ? "" : BEFORE[label].toFixed(4);
      console.log(`  ${label.padEnd(24)}  ${mean(ndcg).toFixed(4)}    ${mean(recall).toFixed(4)}       ${before}`);
    }

    const served = measured.get("hybrid (as served)")!;
    const gain = served - measured.get("BM25 only")!;
    const verdict = (ok: boolean, by: number) => (ok ? "met" : `missed by ${by.toFixed(4)}`);
    console.log(`\nTargets (issue 17 §2, ${reranker ? `reranker ${reranker.id}` : "embedded defaults"})`);
    console.log(
      `  hybrid as served >= ${TARGET_HYBRID}:              ${served.toFixed(4)}  ${verdict(served >= TARGET_HYBRID, TARGET_HYBRID - served)}`,
    );
    console.log(
      `  hybrid above BM25 by >= ${MIN_HYBRID_GAIN}:         ${gain >= 0 ? "+" : ""}${gain.toFixed(4)}  ${verdict(gain >= MIN_HYBRID_GAIN, MIN_HYBRID_GAIN - gain)}`,
    );

    if (!reranker && !values["embedding-model"]) {
      console.log("  tried on SciFact train to close the gap, none kept (hybrid nDCG@10, best variant / without):");
      for (const [idea, best, without, command] of TRIED_ON_TRAIN)
        console.log(`    ${idea.padEnd(70)} ${best.toFixed(4)} / ${without.toFixed(4)}  (${command})`);
    }

    // The floor, measured on what it was not tuned on.
    const falseCuts = servedHits.filter((hits) => hits.length === 0).length;
    let relevantTop = 0;
    let relevantDropped = 0;
    unfloored.forEach((hits, i) => {
      const rel = test[i]![1];
      const kept = new Set(servedHits[i]!.map((h) => h.id));
      for (const h of hits.slice(0, 10)) {
        if (!rel.has(sciChunks.keyOf.get(h.documentId)!)) continue;
        relevantTop++;
        if (!kept.has(h.id)) relevantDropped++;
      }
    });
    let rejectedSci = 0;
    let rejectedReg = 0;
    for (const question of OFF_TOPIC_HELD_OUT) {
      if ((await sciSearch(question, {})).hits.length === 0) rejectedSci++;
      if ((await regSearch(question)).hits.length === 0) rejectedReg++;
    }
    let regKept = 0;
    let regRight = 0;
    for (const { question, file } of REGDOCS_QUESTIONS) {
      const r = await regSearch(question);
      if (r.hits.length > 0) regKept++;
      if (rankDocuments(r.hits.slice(0, 3), regChunks.keyOf).includes(file)) regRight++;
    }
    const n = OFF_TOPIC_HELD_OUT.length;
    console.log(
      `\nRelevance floor (lib/rag/relevance.ts, for ${embedder.id}; SciFact test and held-out questions, unseen in tuning)`,
    );
    console.log(
      `  SciFact test queries left with no passage (false cuts):     ${falseCuts}/${servedHits.length} = ${((100 * falseCuts) / servedHits.length).toFixed(1)}%`,
    );
    console.log(
      `  relevant passages in the unfloored top 10 that it dropped:  ${relevantDropped}/${relevantTop} = ${((100 * relevantDropped) / Math.max(1, relevantTop)).toFixed(1)}%`,
    );
    console.log(
      `  held-out off-topic questions rejected, over SciFact:        ${rejectedSci}/${n} = ${((100 * rejectedSci) / n).toFixed(0)}%`,
    );
    console.log(
      `  held-out off-topic questions rejected, over regdocs:        ${rejectedReg}/${n} = ${((100 * rejectedReg) / n).toFixed(0)}%`,
    );
    console.log(
      `  regdocs questions (seen in tuning) kept / answer file top 3: ${regKept}/${REGDOCS_QUESTIONS.length} / ${regRight}/${REGDOCS_QUESTIONS.length}`,
    );
  }
  await sciStore.close();
  await regStore.close();
  await embedder.close();
  await reranker?.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
