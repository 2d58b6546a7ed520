// npm run bench:guards [-- --limit <regdocs files>] [--errors]
// The privacy and injection guards against the labelled sets in lib/privacy/eval and the real
// documents in ../shared/data/regdocs:
//   1. PII precision and recall per type, on the dev split (rules were tuned on it), the held-out
//      test split, and both;
//   2. person names: the cue rules against compromise's tagger, quality and speed;
//   3. injection recall and false-positive rate on the labelled set, per split;
//   4. the injection scanner's false-positive rate over every passage of regdocs (parsed and
//      chunked by the product's own parser and chunker), with the flagged passages listed;
//   5. throughput of detectPii and scanInjection over those passages, in MB/s;
//   6. the output guard on answers quoted from those passages: answers it redacts although every
//      value came from a cited passage (should be none), a foreign SSN added to each (should always
//      be caught), and the time per answer, with screening a question;
//   7. the stream guard on the same answers arriving in small pieces: answers it changes although
//      every value came from a prompt passage (should be none), a foreign SSN shown at any point
//      (should be never), and its time per answer.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import nlp from "compromise";
import { listFiles } from "@/cli/ingest";
import { chunkDocument } from "@/ingest/chunk/chunker";
import { parseDocument } from "@/ingest/parse";
import { ParseError } from "@/lib/documents/parsed";
import { createStreamGuard, STREAM_HOLD_CHARS } from "@/lib/chat/stream-guard";
import { guardAnswerParts, scanQuestion } from "@/lib/privacy/guards";
import { scanInjection } from "@/lib/privacy/injection";
import { detectPii, PII_TYPES, type PiiType } from "@/lib/privacy/pii";
import { rewriteMarkers } from "@/lib/rag/cite";
import { detectNames } from "@/lib/privacy/pii/names";
import {
  emptyCounts,
  loadInjectionItems,
  loadPiiItems,
  precision,
  recall,
  scorePii,
  type Counts,
  type Split,
} from "./guards/eval-data";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: path.resolve(process.cwd(), "../shared/data/regdocs") },
    limit: { type: "string" },
    errors: { type: "boolean", default: false },
  },
});
const pct = (n: number) => `${(n * 100).toFixed(1)}%`.padStart(7);
const f3 = (n: number) => n.toFixed(3);
const USE_LITE_MAX_TOKENS = 256;

function piiReport() {
  const items = loadPiiItems();
  console.log(
    `\n== PII: ${items.filter((i) => i.expect.length > 0).length} positive and ${items.filter((i) => i.expect.length === 0).length} negative strings`,
  );
  const bySplit = new Map<Split | "all", Map<PiiType, Counts>>();
  const errors: string[] = [];
  for (const item of items) {
    const found = detectPii(item.text);
    for (const split of [item.split, "all"] as const) {
      const m = bySplit.get(split) ?? new Map<PiiType, Counts>();
      scorePii(item, found, m, split === "all" ? errors : undefined);
      bySplit.set(split, m);
    }
  }
  console.log(
    `${"type".padEnd(14)} ${"dev P".padStart(7)} ${"dev R".padStart(7)} ${"test P".padStart(7)} ${"test R".padStart(7)} ${"all P".padStart(7)} ${"all R".padStart(7)}   (tp/fp/fn all)`,
  );
  for (const type of PII_TYPES) {
    const cells = (["dev", "test", "all"] as const).map((s) => {
      const c = bySplit.get(s)?.get(type) ?? emptyCounts();
      return `${pct(precision(c))} ${pct(recall(c))}`;
    });
    const c = bySplit.get("all")?.get(type) ?? emptyCounts();
    console.log(`${type.padEnd(14)} ${cells.join(" ")}   (${c.tp}/${c.fp}/${c.fn})`);
  }
  if (values.errors) for (const e of errors) console.log(`  ${e}`);
}

function namesReport() {
  const items = loadPiiItems().filter(
    (i) => i.expect.some((e) => e.type === "person_name") || i.confuser === "person_name",
  );
  const rules = new Map<PiiType, Counts>();
  const tagger = new Map<PiiType, Counts>();
  for (const item of items) {
    scorePii(
      item,
      detectNames(item.text).filter((f) => f.confidence >= 0.5),
      rules,
    );
    const people = nlp(item.text).people().json({ offset: true }) as {
      text: string;
      offset: { start: number; length: number };
    }[];
    scorePii(
      item,
      people.map((p) => ({
        type: "person_name" as const,
        start: p.offset.start,
        end: p.offset.start + p.offset.length,
        text: p.text,
      })),
      tagger,
    );
  }
  const r = rules.get("person_name") ?? emptyCounts();
  const t = tagger.get("person_name") ?? emptyCounts();
  console.log(`\n== Person names on ${items.length} strings (cue rules vs compromise)`);
  console.log(`cue rules   P ${pct(precision(r))}  R ${pct(recall(r))}  (${r.tp}/${r.fp}/${r.fn})`);
  console.log(`compromise  P ${pct(precision(t))}  R ${pct(recall(t))}  (${t.tp}/${t.fp}/${t.fn})`);
}

function injectionReport() {
  const items = loadInjectionItems();
  const attempts = items.filter((i) => i.injection).length;
  console.log(
    `\n== Injection: ${attempts} attempts, ${items.length - attempts} benign (${items.filter((i) => i.source?.startsWith("regdocs/")).length} of them real regdocs sentences)`,
  );
  const misses: string[] = [];
  for (const split of ["dev", "test", "all"] as const) {
    let tp = 0;
    let fn = 0;
    let fp = 0;
    let tn = 0;
    for (const item of items.filter((i) => split === "all" || i.split === split)) {
      const flagged = scanInjection(item.text).length > 0;
      if (item.injection && flagged) tp++;
      else if (item.injection) fn++;
      else if (flagged) fp++;
      else tn++;
      if (split === "all" && flagged !== item.injection)
        misses.push(
          `[${item.split}] ${flagged ? "FP" : "FN"} ${item.id} ${item.kind ?? item.source}: ${item.text.slice(0, 110)}`,
        );
    }
    const c = { tp, fp, fn };
    console.log(
      `${split.padEnd(5)} recall ${pct(recall(c))}  precision ${pct(precision(c))}  false positives ${fp}/${fp + tn} (${pct(fp / Math.max(1, fp + tn)).trim()})`,
    );
  }
  if (values.errors) for (const m of misses) console.log(`  ${m}`);
}

async function regdocsReport() {
  let files = await listFiles(values.dir!);
  if (values.limit) files = files.slice(0, Number(values.limit));
  const passages: { file: string; text: string }[] = [];
  for (const f of files) {
    try {
      const doc = await parseDocument(fs.readFileSync(f.full), { filename: f.name });
      for (const c of chunkDocument(doc, { maxTokens: USE_LITE_MAX_TOKENS }))
        passages.push({ file: path.relative(values.dir!, f.full), text: c.text });
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
    }
  }
  const bytes = passages.reduce((s, p) => s + Buffer.byteLength(p.text), 0);
  console.log(
    `\n== regdocs: ${passages.length} passages, ${(bytes / 1e6).toFixed(1)} MB of text from ${files.length} files`,
  );

  let t = performance.now();
  const flagged: { file: string; kind: string; confidence: number; text: string }[] = [];
  for (const p of passages) {
    const found = scanInjection(p.text);
    if (found.length > 0)
      flagged.push({ file: p.file, kind: found[0]!.kind, confidence: found[0]!.confidence, text: found[0]!.text });
  }
  const injSeconds = (performance.now() - t) / 1000;
  console.log(
    `injection false positives: ${flagged.length}/${passages.length} passages (${pct(flagged.length / passages.length).trim()})`,
  );
  for (const f of flagged.slice(0, 40))
    console.log(`  ${f.kind} ${f3(f.confidence)} ${f.file}: "${f.text.slice(0, 90)}"`);

  t = performance.now();
  const types = new Map<PiiType, number>();
  const examples: string[] = [];
  let withPii = 0;
  for (const p of passages) {
    const found = detectPii(p.text);
    if (found.length > 0) withPii++;
    for (const f of found) {
      types.set(f.type, (types.get(f.type) ?? 0) + 1);
      examples.push(
        `  ${f.type} ${f3(f.confidence)} ${p.file}: "${f.text.slice(0, 60)}" in "…${p.text.slice(Math.max(0, f.start - 40), f.end + 20).replace(/\s+/g, " ")}…"`,
      );
    }
  }
  const piiSeconds = (performance.now() - t) / 1000;
  // Public documents: what is found here is mostly contact details of agencies, or mistakes.
  console.log(`PII found in ${withPii} passages: ${[...types].map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`);
  if (values.errors) for (const e of examples) console.log(e);

  t = performance.now();
  for (const p of passages) detectPii(p.text, { types: PII_TYPES.filter((x) => x !== "phone") });
  const noPhoneSeconds = (performance.now() - t) / 1000;

  console.log(`\n== Throughput (${(bytes / 1e6).toFixed(1)} MB, one core)`);
  console.log(`scanInjection              ${(bytes / 1e6 / injSeconds).toFixed(2)} MB/s`);
  console.log(`detectPii, all types       ${(bytes / 1e6 / piiSeconds).toFixed(2)} MB/s`);
  console.log(`detectPii, without phones  ${(bytes / 1e6 / noPhoneSeconds).toFixed(2)} MB/s`);
  const sample = passages
    .slice(0, 200)
    .map((p) => p.text)
    .join("\n");
  t = performance.now();
  nlp(sample).people().json({ offset: true });
  const nlpSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  detectNames(sample);
  const rulesSeconds = (performance.now() - t) / 1000;
  console.log(`names, cue rules           ${(Buffer.byteLength(sample) / 1e6 / rulesSeconds).toFixed(2)} MB/s`);
  console.log(`names, compromise          ${(Buffer.byteLength(sample) / 1e6 / nlpSeconds).toFixed(3)} MB/s`);
  answerGuardReport(passages.map((p) => p.text));
}

/** Answers as a model that quotes its passages writes them: three sentences, each citing its passage. */
function answerGuardReport(texts: string[]) {
  // The sentence holding the passage's first piece of personal data when it has one (what an
  // answer repeating it would quote), else its first sentence.
  const sentence = (t: string) => {
    const flat = t.replace(/\s+/g, " ");
    const at = detectPii(flat)[0]?.start ?? 0;
    const start = Math.max(flat.lastIndexOf(". ", at) + 2, 0);
    const end = flat.indexOf(". ", at);
    return flat
      .slice(start, end < 0 ? undefined : end + 1)
      .slice(0, 400)
      .trim();
  };
  // Passages with personal data first, so that many answers repeat some.
  const ordered = [...texts.filter((t) => detectPii(t).length > 0), ...texts.filter((t) => detectPii(t).length === 0)];
  const answers: { text: string; sentences: string[]; passages: string[] }[] = [];
  for (let i = 0; i + 3 <= ordered.length; i += 3) {
    const cited = ordered.slice(i, i + 3);
    const sentences = cited.map((t, k) => `${sentence(t)} [${k + 1}] `);
    answers.push({ text: sentences.join(""), sentences, passages: cited });
  }
  const carrying = answers.filter((a) => detectPii(a.text).length > 0).length;
  const question = "What does the policy require, and who is responsible for it?";
  let falseRedactions = 0;
  let caught = 0;
  const ms: number[] = [];
  for (const a of answers) {
    const t = performance.now();
    scanQuestion(question);
    const clean = guardAnswerParts({ ...a, question, maskedQuestionValues: [] });
    ms.push(performance.now() - t);
    if (Object.keys(clean.redacted).length > 0) falseRedactions++;
    const leaked = `${a.text}The member's SSN is 536-22-1987.`;
    const guarded = guardAnswerParts({
      text: leaked,
      sentences: [...a.sentences, "The member's SSN is 536-22-1987."],
      passages: a.passages,
      question,
      maskedQuestionValues: [],
    });
    if ((guarded.redacted.ssn ?? 0) > 0 && !guarded.text.includes("536-22-1987")) caught++;
  }
  ms.sort((x, y) => x - y);
  console.log(
    `\n== Output guard on ${answers.length} answers quoted from regdocs passages (three cited sentences each)`,
  );
  console.log(`answers repeating personal data from their cited passages: ${carrying}`);
  console.log(
    `answers redacted although every value was in a cited passage: ${falseRedactions} (${pct(falseRedactions / answers.length).trim()})`,
  );
  console.log(`foreign SSN added to each answer, caught: ${caught}/${answers.length}`);
  console.log(
    `question screen + answer guard: median ${ms[Math.floor(ms.length / 2)]!.toFixed(2)} ms, p95 ${ms[Math.floor(ms.length * 0.95)]!.toFixed(2)} ms per answer`,
  );
  streamGuardReport(answers, question);
}

/** The same answers streamed through the stream guard in 4-character pieces, as a model's tokens arrive. */
function streamGuardReport(answers: { text: string; passages: string[] }[], question: string) {
  const SSN = "536-22-1987";
  let altered = 0;
  let withFootnotes = 0;
  let leaked = 0;
  const ms: number[] = [];
  let chars = 0;
  for (const a of answers) {
    const passages = a.passages.map((text, i) => ({ n: i + 1, text }));
    const stream = (text: string) => {
      const pieces: string[] = [];
      const guard = createStreamGuard({ passages, question, maskedQuestionValues: [] }, (t) => pieces.push(t));
      const t = performance.now();
      for (let i = 0; i < text.length; i += 4) guard.push(text.slice(i, i + 4));
      guard.end();
      ms.push(performance.now() - t);
      chars += text.length;
      return pieces.join("");
    };
    const streamed = stream(a.text);
    // Footnote numbers in the quoted text ("[51]") cite no prompt passage: the citation check
    // removes them from the final answer, and the stream guard already does.
    const expected = rewriteMarkers(a.text, (n) => n >= 1 && n <= passages.length);
    if (expected !== a.text) withFootnotes++;
    if (streamed !== expected) {
      altered++;
      if (values.errors) console.log(`  changed: ${JSON.stringify(a.text)}\n       to: ${JSON.stringify(streamed)}`);
    }
    if (stream(`${a.text}The member's SSN is ${SSN}. ${a.text}`).includes(SSN.slice(0, 6))) leaked++;
  }
  ms.sort((x, y) => x - y);
  const total = ms.reduce((x, y) => x + y, 0);
  console.log(`\n== Stream guard on the same answers, in 4-character pieces (${STREAM_HOLD_CHARS}-character window)`);
  console.log(
    `answers changed although every value was in a prompt passage: ${altered}/${answers.length} (besides ${withFootnotes} losing footnote markers that cite no prompt passage, as the final check does)`,
  );
  console.log(`foreign SSN inside a streamed answer, shown at any point: ${leaked}/${answers.length}`);
  console.log(
    `time: median ${ms[Math.floor(ms.length / 2)]!.toFixed(2)} ms, p95 ${ms[Math.floor(ms.length * 0.95)]!.toFixed(2)} ms per answer; ${(chars / 1e3 / (total / 1e3)).toFixed(0)} k characters/s`,
  );
}

async function main() {
  piiReport();
  namesReport();
  injectionReport();
  await regdocsReport();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
