// What ingestion does with a parsed document under a collection's policy: find personal data
// (counting it, masking it, or refusing the document), scan the visible text and the hidden text
// for prompt injection, and decide whether the version must wait for review. Pure, so the
// pipeline's decisions can be tested without a database; the summary it returns is what is
// stored with the version and shown to administrators, and never contains a PII value.

import { BLOCK_SEPARATOR, type Chunk, type HiddenReason, type ParsedDocument } from "@/lib/documents/parsed";
import { INJECTION_THRESHOLD, scanInjection, type InjectionKind } from "./injection";
import {
  countPii,
  describePiiCounts,
  detectPii,
  maskPii,
  MASK_TOKENS,
  type DetectPiiOptions,
  type PiiType,
} from "./pii";
import type { PrivacyPolicy } from "./policy";

export interface ScanFinding {
  kind: InjectionKind;
  confidence: number;
  /** The matched words with a little context, PII masked, at most EXCERPT_CHARS. */
  excerpt: string;
  /** "text": in the indexed text; "hidden": in text a reader would not see (left out of the index). */
  source: "text" | "hidden";
  /** Passage (chunk index) of a text finding, once chunked. */
  passage: number | null;
  /** Offset in the canonical text, for mapping to passages. */
  at: number | null;
}

export interface DocumentScan {
  piiPolicy: PrivacyPolicy["pii"];
  injectionPolicy: PrivacyPolicy["injection"];
  /** Personal data found in the visible text, by type (before masking). */
  pii: Partial<Record<PiiType, number>>;
  /** What masking replaced, by type. */
  masked: Partial<Record<PiiType, number>>;
  /** Findings at or above the injection threshold; these decide quarantine. */
  injection: ScanFinding[];
  hidden: { reason: HiddenReason; excerpt: string; chars: number }[];
  quarantined: boolean;
}

export interface PreparedDocument {
  /** The document to chunk and index: masked when the policy says so. */
  document: ParsedDocument;
  /** PII spans in the canonical text of `document`, for tagging passages. */
  spans: { start: number; end: number; type: PiiType }[];
  scan: DocumentScan;
  /** Set when the policy refuses the document: the message for the uploader (types and counts only). */
  rejection: string | null;
  /** Lines for the version's warnings. */
  warnings: string[];
}

const EXCERPT_CHARS = 240;
const CONTEXT_CHARS = 60;
/** Hidden text that is plainly an instruction is what a poisoned document looks like. */
const HIDDEN_INJECTION_CONFIDENCE = 0.95;
const HIDDEN_SMUGGLED_CONFIDENCE = 0.9;

function excerpt(text: string, start: number, end: number, opts: DetectPiiOptions): string {
  const from = Math.max(0, start - CONTEXT_CHARS);
  const to = Math.min(text.length, end + CONTEXT_CHARS);
  const raw = `${from > 0 ? "…" : ""}${text.slice(from, to)}${to < text.length ? "…" : ""}`.replace(/\s+/g, " ").trim();
  const masked = maskPii(raw, detectPii(raw, opts));
  return masked.length > EXCERPT_CHARS ? `${masked.slice(0, EXCERPT_CHARS - 1)}…` : masked;
}

export function prepareDocument(
  doc: ParsedDocument,
  policy: PrivacyPolicy,
  opts: DetectPiiOptions = {},
): PreparedDocument {
  const acted = new Set<PiiType>(policy.pii === "tag" ? [] : policy.piiTypes);
  const found: { type: PiiType }[] = [];
  const masked: { type: PiiType }[] = [];
  const spans: PreparedDocument["spans"] = [];
  const blocks = [];
  let offset = 0;
  for (const block of doc.blocks) {
    const findings = detectPii(block.text, opts);
    found.push(...findings);
    let text = block.text;
    if (policy.pii === "mask") {
      const toMask = findings.filter((f) => acted.has(f.type));
      text = maskPii(block.text, toMask);
      masked.push(...toMask);
      // Positions in the masked text: each masked span becomes its token.
      let shift = 0;
      for (const f of findings) {
        const isMasked = acted.has(f.type);
        const length = isMasked ? MASK_TOKENS[f.type].length : f.end - f.start;
        spans.push({ start: offset + f.start + shift, end: offset + f.start + shift + length, type: f.type });
        if (isMasked) shift += length - (f.end - f.start);
      }
    } else {
      for (const f of findings) spans.push({ start: offset + f.start, end: offset + f.end, type: f.type });
    }
    blocks.push(text === block.text ? block : { ...block, text });
    offset += text.length + BLOCK_SEPARATOR.length;
  }
  let title = doc.title;
  if (policy.pii === "mask" && title)
    title = maskPii(
      title,
      detectPii(title, opts).filter((f) => acted.has(f.type)),
    );
  const document: ParsedDocument = { ...doc, blocks, ...(title !== undefined ? { title } : {}) };

  const counts = countPii(found);
  const refused = policy.pii === "reject" ? countPii(found.filter((f) => acted.has(f.type))) : {};
  const rejection =
    Object.keys(refused).length > 0
      ? `Refused by this collection's privacy policy: the document contains ${describePiiCounts(refused)}. Remove them, or ask an administrator to change the collection's policy.`
      : null;

  const injection: ScanFinding[] = [];
  offset = 0;
  for (const block of document.blocks) {
    for (const f of scanInjection(block.text)) {
      injection.push({
        kind: f.kind,
        confidence: f.confidence,
        excerpt: excerpt(block.text, f.start, f.end, opts),
        source: "text",
        passage: null,
        at: offset + f.start,
      });
    }
    offset += block.text.length + BLOCK_SEPARATOR.length;
  }
  const hidden = (doc.hidden ?? []).map((h) => ({
    reason: h.reason,
    excerpt: excerpt(h.text, 0, Math.min(h.text.length, EXCERPT_CHARS), opts),
    chars: h.text.length,
  }));
  for (const h of doc.hidden ?? []) {
    const inner = scanInjection(h.text);
    const smuggled = h.reason === "invisible_characters" && /[A-Za-z]{4}/.test(h.text) && !/^\d+ /.test(h.text);
    if (inner.length === 0 && !smuggled) continue;
    injection.push({
      kind: "hidden_text",
      confidence: inner.length > 0 ? HIDDEN_INJECTION_CONFIDENCE : HIDDEN_SMUGGLED_CONFIDENCE,
      excerpt: excerpt(h.text, inner[0]?.start ?? 0, inner[0]?.end ?? 0, opts),
      source: "hidden",
      passage: null,
      at: null,
    });
  }
  const blocking = injection.filter((f) => f.confidence >= INJECTION_THRESHOLD);
  const quarantined = blocking.length > 0 && policy.injection === "quarantine";

  const warnings: string[] = [];
  if (policy.pii === "mask" && masked.length > 0)
    warnings.push(`Masked before indexing: ${describePiiCounts(countPii(masked))}.`);
  if (blocking.length > 0 && policy.injection === "warn") {
    warnings.push(
      `Possible prompt injection (${blocking.length} finding${blocking.length === 1 ? "" : "s"}); indexed because this collection's policy is to warn.`,
    );
  }
  if (hidden.length > 0) {
    const chars = hidden.reduce((n, h) => n + h.chars, 0);
    warnings.push(
      `Hidden text left out of the index: ${hidden.length} piece${hidden.length === 1 ? "" : "s"}, ${chars} characters (${[...new Set(hidden.map((h) => h.reason.replace(/_/g, " ")))].join(", ")}).`,
    );
  }

  return {
    document,
    spans,
    rejection,
    warnings,
    scan: {
      piiPolicy: policy.pii,
      injectionPolicy: policy.injection,
      pii: counts,
      masked: countPii(masked),
      injection: blocking,
      hidden,
      quarantined,
    },
  };
}

/** The PII types in each chunk, from the spans that overlap it. */
export function chunkPiiTypes(chunks: readonly Chunk[], spans: PreparedDocument["spans"]): PiiType[][] {
  return chunks.map((c) =>
    [...new Set(spans.filter((s) => s.start < c.charEnd && c.charStart < s.end).map((s) => s.type))].sort(),
  );
}

/** Names the passage of each text finding. */
export function locateFindings(scan: DocumentScan, chunks: readonly Chunk[]): DocumentScan {
  return {
    ...scan,
    injection: scan.injection.map((f) => {
      if (f.at === null) return f;
      const chunk = chunks.find((c) => c.charStart <= f.at! && f.at! < c.charEnd);
      return { ...f, passage: chunk ? chunk.index : null };
    }),
  };
}
