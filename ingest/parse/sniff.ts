// Content sniffing for text files: which of HTML, JSON, CSV, Markdown or plain text a string is.
// Extensions only break ties between formats that the content alone cannot tell apart.

import type { DocumentFormat } from "@/lib/documents/parsed";

const SAMPLE_CHARS = 64 * 1024;
const CSV_DELIMITERS = [",", "\t", ";", "|"] as const;
const KNOWN_TAG =
  /<(?:p|div|span|a|table|tr|td|th|ul|ol|li|h[1-6]|br|img|section|article|header|footer|nav|main|strong|em|b|i|title|meta|link|script|style)\b[^>]*>/gi;

export function extensionOf(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

/** Strips what may precede the root element: BOM, whitespace, XML prolog, comments. */
function stripPrologue(text: string): string {
  let s = text
    .slice(0, 8192)
    .replace(/^\uFEFF/, "")
    .trimStart();
  for (;;) {
    const next = s
      .replace(/^<\?xml[^>]*\?>/i, "")
      .replace(/^<!--[\s\S]*?-->/, "")
      .trimStart();
    if (next === s) return s;
    s = next;
  }
}

function isStrongHtml(text: string): boolean {
  return /^<(?:!doctype\s+html|html|head|body)[\s>]/i.test(stripPrologue(text));
}

function isWeakHtml(text: string): boolean {
  const head = text.slice(0, 8192);
  if (/<(?:html|body)[\s>]/i.test(head)) return true;
  const tags = head.match(KNOWN_TAG)?.length ?? 0;
  return (stripPrologue(text).startsWith("<") && tags >= 3) || tags >= 25;
}

type JsonVerdict = "json" | "invalid" | "no";

function sniffJson(text: string): JsonVerdict {
  const start = text.trimStart()[0];
  if (start !== "{" && start !== "[") return "no";
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? "json" : "no";
  } catch (err) {
    if (err instanceof SyntaxError) return "invalid";
    throw err;
  }
}

/**
 * Field counts per record for the first records of the sample, quote-aware so that a quoted
 * delimiter or newline does not count. The last record is dropped when the sample was cut.
 */
function fieldCounts(sample: string, delimiter: string, truncated: boolean, maxRecords = 25): number[] {
  const counts: number[] = [];
  let inQuotes = false;
  let count = 0;
  let recordHasText = false;
  for (let i = 0; i < sample.length && counts.length < maxRecords; i++) {
    const ch = sample[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && ch === delimiter) count++;
    else if (!inQuotes && ch === "\n") {
      if (recordHasText) counts.push(count);
      count = 0;
      recordHasText = false;
      continue;
    }
    if (ch !== "\r" && ch !== " ") recordHasText = true;
  }
  if (recordHasText && !truncated && counts.length < maxRecords) counts.push(count);
  return counts;
}

/** The delimiter that splits every sampled record into the same number (> 1) of fields. */
export function sniffDelimiter(text: string, minRecords = 2): string | undefined {
  const sample = text.slice(0, SAMPLE_CHARS);
  const truncated = text.length > SAMPLE_CHARS;
  for (const delimiter of CSV_DELIMITERS) {
    const counts = fieldCounts(sample, delimiter, truncated);
    if (counts.length >= minRecords && counts[0]! > 0 && counts.every((c) => c === counts[0])) return delimiter;
  }
  return undefined;
}

/** For parsing a file already known to be CSV: the candidate splitting the header record most. */
export function headerDelimiter(text: string): string | undefined {
  const header = text.slice(0, SAMPLE_CHARS);
  let best: string | undefined;
  let bestCount = 0;
  for (const delimiter of CSV_DELIMITERS) {
    const count = fieldCounts(header, delimiter, false, 1)[0] ?? 0;
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

function looksLikeCsv(text: string): boolean {
  const sample = text.slice(0, SAMPLE_CHARS);
  // Prose has blank lines between paragraphs; CSV practically never does.
  if (/\n[ \t]*\r?\n\s*\S/.test(sample.trim())) return false;
  const delimiter = sniffDelimiter(text, 3);
  if (delimiter === undefined) return false;
  // A markdown table has consistent pipes too; its separator row gives it away.
  if (delimiter === "|" && /^\s*\|?\s*:?-{3,}/m.test(sample)) return false;
  const fields = sample.split("\n", 25).flatMap((line) => line.split(delimiter));
  const averageField = fields.reduce((sum, f) => sum + f.length, 0) / Math.max(1, fields.length);
  return averageField < 200;
}

function looksLikeMarkdown(text: string): boolean {
  const sample = text.slice(0, SAMPLE_CHARS);
  return (
    /^#{1,6}[ \t]+\S/m.test(sample) ||
    /^(?:```|~~~)/m.test(sample) ||
    /^\|?[^\n]*\|[^\n]*\n\|?\s*:?-{3,}:?\s*\|/m.test(sample) ||
    (sample.match(/\[[^\]\n]+\]\([^)\s]+\)/g)?.length ?? 0) >= 2
  );
}

export function sniffTextFormat(text: string, filename: string): DocumentFormat {
  const ext = extensionOf(filename);
  if (isStrongHtml(text)) return "html";
  const json = sniffJson(text);
  if (json === "json" || (json === "invalid" && ext === "json")) return "json";
  if (ext === "md" || ext === "markdown") return "markdown";
  if (ext === "csv" || ext === "tsv") return "csv";
  if (isWeakHtml(text)) return "html";
  if (looksLikeCsv(text)) return "csv";
  if (looksLikeMarkdown(text)) return "markdown";
  return "text";
}
