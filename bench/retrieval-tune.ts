// How the fusion weight and the relevance floor were chosen: sweeps on SciFact's TRAIN queries
// (and the off-topic tuning questions), never on the test split. Run with
//   npm run bench:retrieval -- --tune [--floor-only]
// Each question is searched once (both lists, through the ChunkStore with the access filter);
// the sweeps then re-rank the same candidates with the product's rankPassages.
import type { Embedder } from "@/lib/models/embedder";
import { DEFAULT_FUSION } from "@/lib/rag/fusion";
import { rankPassages, type RankInput } from "@/lib/rag/rank";
import { clearsFloor, floorFor, type FloorParams } from "@/lib/rag/relevance";
import type { FusedHit } from "@/lib/rag/types";
import type { ChunkStore, HitWithVector } from "@/lib/vector/store";
import type { CorpusChunks } from "./corpus-store";
import { mean, ndcgAt, rankDocuments, recallAt } from "./metrics";
import { OFF_TOPIC_TUNING } from "./off-topic";
import { REGDOCS_QUESTIONS } from "./regdocs";
import type { Qrels } from "./scifact";

const DEPTH = 100;

interface Collected {
  question: string;
  input: Omit<RankInput, "limit" | "mode" | "floor" | "fusion">;
}

export interface TuneCorpus {
  store: ChunkStore;
  chunks: CorpusChunks;
}

/**
 * Both lists for each question. To keep ~800 questions' candidates in memory, vectors are
 * replaced by their cosine: a query vector [1] and a hit vector [cosine] make rankPassages's dot
 * product return exactly the cosine it would have computed.
 */
async function collect(embedder: Embedder, corpus: TuneCorpus, questions: string[]): Promise<Collected[]> {
  const access = { collectionIds: [corpus.chunks.collectionId], groupIds: [] };
  const texts = new Map<string, string>();
  const intern = <T extends { id: string; text: string }>(h: T): T => {
    if (!texts.has(h.id)) texts.set(h.id, h.text);
    return { ...h, text: texts.get(h.id)! };
  };
  const out: Collected[] = [];
  for (const question of questions) {
    const [qv] = await embedder.embed([question]);
    const [vector, text] = await Promise.all([
      corpus.store.vectorSearch(qv!, { access, limit: DEPTH }),
      corpus.store.textSearch(question, { access, limit: DEPTH, withVectors: true }),
    ]);
    const compact: HitWithVector[] = text.map((h) => intern({ ...h, vector: Float32Array.of(cosine(qv!, h.vector)) }));
    out.push({
      question,
      input: { question, queryVector: Float32Array.of(1), vector: vector.map(intern), text: compact },
    });
  }
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);

export async function tune(
  embedder: Embedder,
  scifact: TuneCorpus,
  regdocs: TuneCorpus,
  queries: Map<string, string>,
  train: Qrels,
  opts: { floorOnly: boolean },
) {
  const ids = [...train.keys()];
  console.log(`\nTuning on SciFact TRAIN: ${ids.length} queries (searching each once, depth ${DEPTH})`);
  const sci = await collect(
    embedder,
    scifact,
    ids.map((q) => queries.get(q)!),
  );
  const offSci = await collect(embedder, scifact, OFF_TOPIC_TUNING);
  const offReg = await collect(embedder, regdocs, OFF_TOPIC_TUNING);

  // 1. Fusion: nDCG@10 and Recall@100 by text weight, beside rank fusion for comparison.
  if (!opts.floorOnly) fusionSweep();
  function fusionSweep() {
    console.log("\nFusion on train (no floor)             nDCG@10  R@100");
    const evaluate = (rank: (c: Collected) => string[]) => {
      const runs = sci.map((c, i) => ({ ranked: rank(c), rel: train.get(ids[i]!)! }));
      return `${mean(runs.map((r) => ndcgAt(r.ranked, r.rel, 10))).toFixed(4)}   ${mean(runs.map((r) => recallAt(r.ranked, r.rel, 100))).toFixed(4)}`;
    };
    const ranked = (c: Collected, textWeight: number, mode: RankInput["mode"] = "hybrid") =>
      rankDocuments(
        rankPassages({ ...c.input, limit: 2 * DEPTH, mode, floor: null, fusion: { textWeight } }).hits,
        scifact.chunks.keyOf,
      );
    console.log(`  BM25 only                             ${evaluate((c) => ranked(c, 1, "text"))}`);
    console.log(`  vector only                           ${evaluate((c) => ranked(c, 0, "vector"))}`);
    for (const [k, wv] of [
      [60, 1],
      [60, 0.3],
      [10, 0.2],
    ] as const) {
      const rrf = (c: Collected) => {
        const fused = rankPassages({
          ...c.input,
          limit: 2 * DEPTH,
          mode: "hybrid",
          floor: null,
          fusion: DEFAULT_FUSION,
        }).hits;
        const score = (h: (typeof fused)[number]) =>
          (h.textRank ? 1 / (k + h.textRank) : 0) + (h.vectorRank ? wv / (k + h.vectorRank) : 0);
        return rankDocuments(
          [...fused].sort((a, b) => score(b) - score(a)),
          scifact.chunks.keyOf,
        );
      };
      console.log(`  RRF k=${k}, vector weight ${wv}`.padEnd(38) + evaluate(rrf));
    }
    for (const w of [0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9]) {
      console.log(
        `  convex, text weight ${w.toFixed(2)}${w === DEFAULT_FUSION.textWeight ? " (chosen)" : ""}`.padEnd(38) +
          evaluate((c) => ranked(c, w)),
      );
    }
  }

  // 2. The floor: a question is cut when none of its candidates clears it.
  const signals = (c: Collected) =>
    rankPassages({ ...c.input, limit: 2 * DEPTH, mode: "hybrid", floor: null, fusion: DEFAULT_FUSION }).hits;
  const sciHits = sci.map(signals);
  const offSciHits = offSci.map(signals);
  const offRegHits = offReg.map(signals);
  const onRegHits = (
    await collect(
      embedder,
      regdocs,
      REGDOCS_QUESTIONS.map((q) => q.question),
    )
  ).map(signals);
  const relevantPassages = sciHits.flatMap((hits, i) => {
    const rel = train.get(ids[i]!)!;
    return hits.slice(0, 10).filter((h) => rel.has(scifact.chunks.keyOf.get(h.documentId)!));
  });
  const cut = (sets: FusedHit[][], floor: FloorParams) =>
    mean(sets.map((hits) => (hits.some((h) => clearsFloor(h, floor)) ? 0 : 1)));
  const rate = (floor: FloorParams) => ({
    falseCut: cut(sciHits, floor),
    relevantCut: mean(relevantPassages.map((h) => (clearsFloor(h, floor) ? 0 : 1))),
    rejectedSci: cut(offSciHits, floor),
    rejectedReg: cut(offRegHits, floor),
    regKept: 1 - cut(onRegHits, floor),
  });
  console.log(
    `\nFloor on train. false cut: SciFact train queries left with no passage; relevant cut: relevant passages of the`,
  );
  console.log(
    `unfloored top 10 dropped; rejected: the ${OFF_TOPIC_TUNING.length} off-topic tuning questions left with no passage over`,
  );
  console.log(
    `SciFact / regdocs; kept: the ${REGDOCS_QUESTIONS.length} regdocs questions that keep passages. Pareto front over the grid:`,
  );
  console.log(
    "  minCosine minCoverage minCosineWithTerms   false cut  relevant cut  rejected sci / reg   regdocs kept",
  );
  type Row = { floor: FloorParams; r: ReturnType<typeof rate> };
  const grid: Row[] = [];
  for (const minCosine of [0.35, 0.4, 0.45, 0.5, 0.55, 0.6])
    for (const minCoverage of [0.3, 0.4, 0.5, 0.6, 0.7])
      for (const minCosineWithTerms of [0.2, 0.25, 0.3, 0.33, 0.35, 0.38, 0.4]) {
        if (minCosineWithTerms > minCosine) continue;
        const floor = { minCosine, minCoverage, minCosineWithTerms };
        grid.push({ floor, r: rate(floor) });
      }
  const rejected = (r: Row["r"]) => r.rejectedSci + r.rejectedReg;
  const lost = (r: Row["r"]) => r.falseCut + r.relevantCut + (1 - r.regKept);
  const front = grid
    .filter(
      (g) =>
        !grid.some(
          (o) =>
            rejected(o.r) >= rejected(g.r) &&
            lost(o.r) <= lost(g.r) &&
            (rejected(o.r) > rejected(g.r) || lost(o.r) < lost(g.r)),
        ),
    )
    .sort((a, b) => rejected(a.r) - rejected(b.r) || lost(a.r) - lost(b.r));
  const current = floorFor(embedder.id);
  const isDefault = (f: FloorParams) =>
    f.minCosine === current.minCosine &&
    f.minCoverage === current.minCoverage &&
    f.minCosineWithTerms === current.minCosineWithTerms;
  const print = (g: Row) =>
    console.log(
      `  ${g.floor.minCosine.toFixed(2).padStart(9)} ${g.floor.minCoverage.toFixed(2).padStart(11)} ${g.floor.minCosineWithTerms.toFixed(2).padStart(18)}   ${pct(g.r.falseCut)}     ${pct(g.r.relevantCut)}      ${pct(g.r.rejectedSci)} / ${pct(g.r.rejectedReg)}   ${pct(g.r.regKept)}${isDefault(g.floor) ? "   (chosen)" : ""}`,
    );
  front.forEach(print);
  const chosen = grid.find((g) => isDefault(g.floor));
  if (chosen && !front.includes(chosen)) print(chosen);
}
