// SciFact (BEIR: scientific claims → abstracts) from ../shared/data/scifact: corpus, queries, qrels.
import fs from "node:fs";
import path from "node:path";
import type { CorpusDocument } from "./corpus-store";

export const SCIFACT_DIR = path.resolve(process.cwd(), "../shared/data/scifact");

/** query id → (document id → relevance grade) */
export type Qrels = Map<string, Map<string, number>>;

/** Each abstract as a parser would give it: the title as a heading, the abstract as a paragraph. */
export function loadScifactCorpus(): CorpusDocument[] {
  return readJsonl(path.join(SCIFACT_DIR, "corpus.jsonl")).map((r) => {
    const title = String(r.title ?? "");
    const text = String(r.text ?? "");
    return {
      key: String(r._id),
      title,
      blocks: [
        ...(title ? [{ kind: "heading" as const, level: 1, text: title }] : []),
        ...(text ? [{ kind: "paragraph" as const, text }] : []),
      ],
    };
  });
}

export function loadScifactQueries(): Map<string, string> {
  return new Map(readJsonl(path.join(SCIFACT_DIR, "queries.jsonl")).map((r) => [String(r._id), String(r.text)]));
}

export function loadScifactQrels(split: "train" | "test"): Qrels {
  const lines = fs
    .readFileSync(path.join(SCIFACT_DIR, "qrels", `${split}.tsv`), "utf8")
    .split(/\r?\n/)
    .slice(1);
  const qrels: Qrels = new Map();
  for (const line of lines) {
    if (!line.trim()) continue;
    const [q, d, grade] = line.split("\t");
    if (!q || !d || !(Number(grade) > 0)) continue;
    if (!qrels.has(q)) qrels.set(q, new Map());
    qrels.get(q)!.set(d, Number(grade));
  }
  return qrels;
}

function readJsonl(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
