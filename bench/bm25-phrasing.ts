// npx tsx --conditions=react-server bench/bm25-phrasing.ts [train|test]
// BM25 with and without question phrasing (lib/vector/fts-query.ts), on SciFact (the claims bare
// and with "Can you clarify whether " before each) and on the regdocs questions bare and wrapped in
// four phrasings. No embedding: the chunks (the product's chunker) go into a LanceDB table with the
// chunk table's full-text settings under .tmp/bench/bm25/, built in about a minute and reused.
// nDCG@10 over documents, a document scored by its best passage (docs/adr/0029).
import fs from "node:fs";
import path from "node:path";
import { connect, Index, MatchQuery, type Table } from "@lancedb/lancedb";
import { toMatchText } from "@/lib/vector/fts-query";
import { chunkCorpus, type CorpusChunks } from "./corpus-store";
import { BENCH_CACHE_DIR } from "./embed-cache";
import { mean, ndcgAt } from "./metrics";
import { loadRegdocs, REGDOCS_QUESTIONS } from "./regdocs";
import { loadScifactCorpus, loadScifactQrels, loadScifactQueries } from "./scifact";

// The same options as lib/vector/indexes.ts gives the chunk table's `text` index.
const FTS = {
  baseTokenizer: "simple",
  language: "English",
  lowercase: true,
  stem: true,
  removeStopWords: false,
  asciiFolding: true,
  withPosition: false,
} as const;
const WRAPS = [
  "",
  "Can you clarify: ",
  "Could you please explain ",
  "I would like to know ",
  "What are the requirements regarding this: ",
];

async function tableFor(chunks: CorpusChunks): Promise<Table> {
  const dir = path.join(BENCH_CACHE_DIR, "bm25", chunks.name);
  const db = await connect(dir);
  if (fs.existsSync(path.join(dir, "complete"))) return db.openTable("chunks");
  const rows = chunks.docs.flatMap((d) => d.rows.map((r) => ({ id: r.id, text: r.text, document_id: r.documentId })));
  const table = await db.createTable("chunks", rows, { mode: "overwrite" });
  await table.createIndex("text", { config: Index.fts(FTS) });
  fs.writeFileSync(path.join(dir, "complete"), "");
  return table;
}

async function rankedDocuments(table: Table, keyOf: Map<string, string>, question: string, keepPhrasing: boolean) {
  const terms = toMatchText(question, { keepPhrasing });
  if (!terms) return [];
  const rows = (await table
    .query()
    .fullTextSearch(new MatchQuery(terms, "text"))
    .select(["document_id", "_score"])
    .limit(100)
    .toArray()) as { document_id: string }[];
  return [...new Set(rows.map((r) => keyOf.get(r.document_id)!))];
}

async function main() {
  const split = process.argv[2] === "test" ? "test" : "train";
  const sci = chunkCorpus("scifact", loadScifactCorpus(), 256);
  const reg = chunkCorpus("regdocs", await loadRegdocs(), 256);
  const sciTable = await tableFor(sci);
  const regTable = await tableFor(reg);
  const queries = loadScifactQueries();
  const qrels = [...loadScifactQrels(split).entries()];
  console.log(
    `BM25 nDCG@10: SciFact ${split} (${qrels.length} claims) | regdocs (${REGDOCS_QUESTIONS.length} questions)`,
  );
  for (const keepPhrasing of [true, false]) {
    const cells: string[] = [];
    for (const wrap of ["", "Can you clarify whether "]) {
      const scores: number[] = [];
      for (const [id, rel] of qrels)
        scores.push(ndcgAt(await rankedDocuments(sciTable, sci.keyOf, wrap + queries.get(id)!, keepPhrasing), rel, 10));
      cells.push(`${wrap ? "wrapped" : "bare"} ${mean(scores).toFixed(4)}`);
    }
    for (const wrap of WRAPS) {
      const scores: number[] = [];
      for (const { question, file } of REGDOCS_QUESTIONS)
        scores.push(
          ndcgAt(await rankedDocuments(regTable, reg.keyOf, wrap + question, keepPhrasing), new Map([[file, 1]]), 10),
        );
      cells.push(`"${wrap.trim() || "bare"}" ${mean(scores).toFixed(3)}`);
    }
    console.log(`  phrasing ${keepPhrasing ? "kept   " : "dropped"}  ${cells.join(" | ")}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
