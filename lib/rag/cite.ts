import type { Embedder } from "@/lib/models/embedder";
import { contentTerms, coverage, termSet } from "./terms";
import type { AnswerSentence, Citation, RetrievedPassage } from "./types";

// After generation: every [n] is mapped to a passage that was actually retrieved for this answer
// (anything else is removed from the text), and every cited sentence is checked against the
// passages it cites. A sentence whose content the passages do not contain is flagged "weak": the
// reader sees the flag next to it rather than trusting an unsupported claim.

/** [1], [1, 2], [1-3], [1][2]: one or more numbers in square brackets. */
export const MARKER = /\[(\d{1,3}(?:\s*[,;]\s*\d{1,3}|\s*[-–]\s*\d{1,3})*)\]/g;

/** A sentence this well covered by its passages (lexically) is supported without further checks. */
export const LEXICAL_SUPPORTED = 0.6;
/** Cosine similarity (USE-lite) between a sentence and its best passage sentence that counts as a paraphrase. */
export const SEMANTIC_SUPPORTED = 0.7;
/** Sentences with fewer content words than this make no claim worth citing ("Yes.", headings). */
const MIN_CLAIM_TERMS = 4;

function parseMarker(inner: string): number[] {
  const out: number[] = [];
  for (const part of inner.split(/[,;]/)) {
    const range = /^\s*(\d+)\s*[-–]\s*(\d+)\s*$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      // A range is only read as such when it is short and ascending; "[3-1]" cites 3 and 1.
      if (b >= a && b - a <= 10) for (let k = a; k <= b; k++) out.push(k);
      else out.push(a, b);
    } else if (part.trim()) out.push(Number(part.trim()));
  }
  return out;
}

/**
 * Rewrites every citation marker to cite only the passages `known` accepts, one number per pair
 * of brackets ("[1, 7]" with 7 unknown becomes "[1]"); a marker citing nothing known is removed.
 * Shared by the check after generation and the stream guard, so what streams and what is kept agree.
 */
export function rewriteMarkers(
  text: string,
  known: (n: number) => boolean,
  seen?: (valid: number[], dropped: number[]) => void,
): string {
  return text.replace(MARKER, (_match, inner: string) => {
    const valid: number[] = [];
    const dropped: number[] = [];
    for (const n of parseMarker(inner)) (known(n) ? valid : dropped).push(n);
    seen?.(valid, dropped);
    return valid.length > 0 ? valid.map((n) => `[${n}]`).join("") : "";
  });
}

/** Sentences as Intl's sentence segmenter sees them, with a citation after the full stop kept in its sentence. */
export function splitSentences(text: string): string[] {
  const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });
  const raw = Array.from(segmenter.segment(text), (s) => s.segment);
  const out: string[] = [];
  for (const seg of raw) {
    // "… was approved. [2] The next …" segments "[2] " with the next sentence; move it back.
    const lead = /^\s*((?:\[[\d\s,;–-]+\]\s*)+)/.exec(seg);
    if (lead && out.length > 0) {
      const rest = seg.slice(lead[0].length);
      const trailing = rest.trim() ? " " : /\s*$/.exec(seg)![0];
      out[out.length - 1] = `${out[out.length - 1]!.trimEnd()} ${lead[1]!.trim()}${trailing}`;
      if (rest.trim()) out.push(rest);
    } else if (seg.trim()) out.push(seg);
  }
  return out;
}

export interface CheckedAnswer {
  /** The answer with citations to unknown passages removed. */
  text: string;
  sentences: AnswerSentence[];
  /** Only the passages the answer cites, in the order first cited. */
  citations: Citation[];
  /** Numbers the model cited that were not among the retrieved passages. */
  removed: number[];
}

export interface VersionFacts {
  versionNumber: number;
  sha256: string;
  /** The version's effective interval (lib/documents/effective.ts); null or absent if unknown. */
  interval?: { from: Date; until: Date | null } | null;
  /** A later published version of the same document, if one exists (for "see what changed"). */
  newer?: { versionId: string; versionNumber: number } | null;
}

export interface CheckOptions {
  answer: string;
  passages: RetrievedPassage[];
  /** Version number and file hash per version id, from Postgres. */
  versions: Map<string, VersionFacts>;
  /** When given, sentences that fail the lexical check are compared by meaning before being flagged. */
  embedder?: Embedder;
}

export async function checkAnswer(opts: CheckOptions): Promise<CheckedAnswer> {
  const byNumber = new Map(opts.passages.map((p) => [p.n, p]));
  const removed = new Set<number>();

  const sentences: { text: string; citations: number[] }[] = [];
  for (const raw of splitSentences(opts.answer)) {
    const cited: number[] = [];
    const cleaned = rewriteMarkers(
      raw,
      (n) => byNumber.has(n),
      (valid, dropped) => {
        for (const n of dropped) removed.add(n);
        for (const n of valid) if (!cited.includes(n)) cited.push(n);
      },
    );
    sentences.push({ text: cleaned.replace(/[ \t]+([.,;:!?])/g, "$1").replace(/[ \t]{2,}/g, " "), citations: cited });
  }

  const passageTerms = new Map<number, Set<string>>();
  const termsOf = (n: number) => {
    let t = passageTerms.get(n);
    if (!t) {
      t = termSet(byNumber.get(n)!.text);
      passageTerms.set(n, t);
    }
    return t;
  };

  const checked: AnswerSentence[] = sentences.map((s) => {
    const claim = contentTerms(s.text.replace(MARKER, ""));
    if (s.citations.length === 0) {
      return { text: s.text, citations: [], support: "uncited", supportScore: 0 };
    }
    const union = new Set<string>();
    for (const n of s.citations) for (const t of termsOf(n)) union.add(t);
    const score = claim.length === 0 ? 1 : coverage(claim, union);
    return {
      text: s.text,
      citations: s.citations,
      support: score >= LEXICAL_SUPPORTED ? "supported" : "weak",
      supportScore: round(score),
    };
  });

  if (opts.embedder) await confirmByMeaning(checked, byNumber, opts.embedder);

  // Sentences too short to claim anything are not flagged for lacking a citation.
  for (const s of checked) {
    if (s.support === "uncited" && contentTerms(s.text).length < MIN_CLAIM_TERMS) s.supportScore = 1;
  }

  const order: number[] = [];
  for (const s of checked) for (const n of s.citations) if (!order.includes(n)) order.push(n);
  const citations = order.map((n) => toCitation(byNumber.get(n)!, opts.versions.get(byNumber.get(n)!.versionId)));

  return {
    text: joinSentences(checked.map((s) => s.text)),
    sentences: checked,
    citations,
    removed: [...removed].sort((a, b) => a - b),
  };
}

/** A generated sentence may paraphrase its passage; compare meanings before calling it weak. */
async function confirmByMeaning(
  sentences: AnswerSentence[],
  passages: Map<number, RetrievedPassage>,
  embedder: Embedder,
): Promise<void> {
  const weak = sentences.filter((s) => s.support === "weak");
  if (weak.length === 0) return;
  const candidates: { owner: number; text: string }[] = [];
  weak.forEach((s, i) => {
    for (const n of s.citations) {
      for (const ps of splitSentences(passages.get(n)!.text))
        if (ps.trim().length > 0) candidates.push({ owner: i, text: ps.trim() });
    }
  });
  if (candidates.length === 0) return;
  const vectors = await embedder.embed([
    ...weak.map((s) => s.text.replace(MARKER, "")),
    ...candidates.map((c) => c.text),
  ]);
  weak.forEach((s, i) => {
    const own = vectors[i]!;
    let best = 0;
    candidates.forEach((c, k) => {
      if (c.owner === i) best = Math.max(best, dot(own, vectors[weak.length + k]!));
    });
    if (best >= SEMANTIC_SUPPORTED) {
      s.support = "supported";
      s.supportScore = round(Math.max(s.supportScore, best));
    }
  });
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function joinSentences(parts: string[]): string {
  return parts
    .join("")
    .replace(/[ \t]+\n/g, "\n")
    .trim();
}

export function toCitation(p: RetrievedPassage, version: VersionFacts | undefined): Citation {
  return {
    n: p.n,
    chunkId: p.chunkId,
    documentId: p.documentId,
    versionId: p.versionId,
    versionNumber: version?.versionNumber ?? null,
    versionSha256: version?.sha256 ?? null,
    title: p.title,
    headingPath: p.headingPath,
    pageStart: p.pageStart,
    pageEnd: p.pageEnd,
    charStart: p.charStart,
    charEnd: p.charEnd,
    text: p.text,
    ...(p.ocrConfidence !== undefined ? { ocrConfidence: p.ocrConfidence } : {}),
    ...(version?.interval
      ? {
          effectiveFrom: version.interval.from.toISOString(),
          effectiveUntil: version.interval.until?.toISOString() ?? null,
        }
      : {}),
    ...(version?.newer ? { newerVersion: version.newer } : {}),
  };
}
