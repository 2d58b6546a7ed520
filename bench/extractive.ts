// npm run bench:extractive [-- --limit <claims>] [--distractors <n>] [--lexical-only]
// How well the extractive generator picks the sentences that answer a question, and whether the
// embedder's sentence similarity (USE-lite by default) helps over lexical coverage alone.
//
// Data: SciFact claims that carry sentence-level evidence (queries.jsonl metadata: abstract id →
// evidence sentence indices). Each claim gets its evidence abstracts plus the `distractors`
// abstracts that share the most terms with it (hard negatives), as numbered passages.
// Figures, per scoring variant:
//   P@1        the best-scored sentence is an evidence sentence;
//   hit@k      at least one quoted sentence (at most 4) is evidence;
//   precision  share of quoted sentences that are evidence;
//   citation   share of quoted sentences citing an evidence abstract (the right passage).
// Evidence indices count the original SciFact sentence split; ours (Intl.Segmenter) can differ on
// a few abstracts, which costs every variant alike.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createEmbedder } from "@/lib/models/embedder";
import {
  candidateSentences,
  pickSentences,
  splitSentences,
  type CandidateSentence,
} from "@/lib/models/extractive-select";
import type { PromptPassage } from "@/lib/models/generator";
import { dot } from "@/lib/models/vector-math";
import { termSet, contentTerms } from "@/lib/rag/terms";

const { values } = parseArgs({
  options: {
    data: { type: "string", default: path.resolve(process.cwd(), "../shared/data/scifact") },
    limit: { type: "string", default: "300" },
    distractors: { type: "string", default: "4" },
    // Skips the embedder (slow on a small CPU) and reports lexical coverage alone.
    "lexical-only": { type: "boolean", default: false },
  },
});

interface Doc {
  _id: string;
  title: string;
  text: string;
}
interface Claim {
  _id: string;
  text: string;
  metadata: Record<string, { sentences: number[]; label: string }[]>;
}

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

interface Case {
  claim: string;
  passages: PromptPassage[];
  /** passage number → evidence sentence indices */
  evidence: Map<number, Set<number>>;
  candidates: CandidateSentence[];
  similarities?: number[];
}

async function main() {
  const docs = readJsonl<Doc>(path.join(values.data!, "corpus.jsonl"));
  const claims = readJsonl<Claim>(path.join(values.data!, "queries.jsonl")).filter(
    (c) => Object.keys(c.metadata ?? {}).length > 0,
  );
  const limit = Number(values.limit);
  const distractors = Number(values.distractors);
  const byId = new Map(docs.map((d) => [d._id, d]));
  const docTerms = docs.map((d) => termSet(`${d.title} ${d.text}`));

  let misaligned = 0;
  const cases: Case[] = [];
  for (const claim of claims.slice(0, limit)) {
    const evidenceIds = Object.keys(claim.metadata).filter((id) => byId.has(id));
    if (evidenceIds.length === 0) continue;
    const wanted = [...new Set(contentTerms(claim.text))];
    const scored = docs
      .map((d, i) => ({ d, cov: wanted.filter((t) => docTerms[i]!.has(t)).length }))
      .filter((x) => !evidenceIds.includes(x.d._id))
      .sort((a, b) => b.cov - a.cov)
      .slice(0, distractors)
      .map((x) => x.d);
    // Evidence first half the time, so a bias toward the first passage cannot pass for skill.
    const ordered =
      cases.length % 2 === 0
        ? [...evidenceIds.map((id) => byId.get(id)!), ...scored]
        : [...scored, ...evidenceIds.map((id) => byId.get(id)!)];
    const passages: PromptPassage[] = ordered.map((d, i) => ({
      n: i + 1,
      text: d.text,
      title: d.title,
      headingPath: "",
      pageStart: null,
    }));
    const evidence = new Map<number, Set<number>>();
    for (const p of passages) {
      const doc = ordered[p.n - 1]!;
      const ev = claim.metadata[doc._id];
      if (!ev) continue;
      const indices = new Set(ev.flatMap((e) => e.sentences));
      if (Math.max(...indices) >= splitSentences(doc.text).length) misaligned++;
      evidence.set(p.n, indices);
    }
    cases.push({ claim: claim.text, passages, evidence, candidates: candidateSentences(passages) });
  }
  const sentences = cases.reduce((n, c) => n + c.candidates.length, 0);
  console.log(
    `SciFact claims with sentence evidence: ${cases.length} (of ${claims.length}), ${distractors} hard distractors each, ${sentences} candidate sentences`,
  );
  console.log(`  evidence abstracts whose evidence index exceeds our sentence count: ${misaligned}`);

  const lexicalOnly = values["lexical-only"];
  if (!lexicalOnly) {
    const embedder = await createEmbedder({});
    const t0 = performance.now();
    for (const c of cases) {
      const [q, ...vectors] = await embedder.embed([c.claim, ...c.candidates.map((s) => s.text)]);
      c.similarities = vectors.map((v) => dot(q!, v));
    }
    const embedSeconds = (performance.now() - t0) / 1000;
    console.log(
      `  embedded with ${embedder.id}: ${(sentences / embedSeconds).toFixed(0)} sentences/s, ` +
        `${((1000 * embedSeconds) / cases.length).toFixed(0)} ms per answer (${(sentences / cases.length).toFixed(0)} sentences)`,
    );
    await embedder.close();
  }

  const isEvidence = (c: Case, s: { n: number; position: number }) => c.evidence.get(s.n)?.has(s.position) ?? false;
  const variants: { name: string; weight: number | null }[] = [
    { name: "lexical only", weight: null },
    { name: "lexical 0.8 + similarity 0.2", weight: 0.2 },
    { name: "lexical 0.7 + similarity 0.3", weight: 0.3 },
    { name: "lexical 0.5 + similarity 0.5", weight: 0.5 },
    { name: "lexical 0.3 + similarity 0.7", weight: 0.7 },
    { name: "similarity only", weight: 1 },
  ];
  console.log(
    `\n${"variant".padEnd(32)} ${"P@1".padStart(6)} ${"hit@4".padStart(6)} ${"precision".padStart(10)} ${"citation".padStart(9)} ${"quoted".padStart(7)}`,
  );
  for (const v of lexicalOnly ? variants.slice(0, 1) : variants) {
    let top = 0;
    let hit = 0;
    let quoted = 0;
    let correct = 0;
    let rightPassage = 0;
    for (const c of cases) {
      const picked = pickSentences(
        c.claim,
        c.candidates,
        v.weight === null ? {} : { similarities: c.similarities, similarityWeight: v.weight },
      );
      const best = picked.reduce((a, b) => (b.score > a.score ? b : a));
      if (isEvidence(c, best)) top++;
      if (picked.some((s) => isEvidence(c, s))) hit++;
      quoted += picked.length;
      correct += picked.filter((s) => isEvidence(c, s)).length;
      rightPassage += picked.filter((s) => c.evidence.has(s.n)).length;
    }
    const pct = (x: number, of: number) => `${((100 * x) / of).toFixed(1)}%`;
    console.log(
      `${v.name.padEnd(32)} ${pct(top, cases.length).padStart(6)} ${pct(hit, cases.length).padStart(6)} ${pct(correct, quoted).padStart(10)} ${pct(rightPassage, quoted).padStart(9)} ${(quoted / cases.length).toFixed(2).padStart(7)}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
