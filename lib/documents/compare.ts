import { diffSentences, diffWords } from "diff";

// What changed between two versions' texts: sections (a heading and the paragraphs under it)
// added, removed and changed, and inside a changed section the sentences added and removed with
// the words that differ. Pure text work on the versions' stored canonical text (already masked
// where the collection masks), with the maintained `diff` package doing the sentence and word diffs.

export interface Section {
  heading: string;
  text: string;
}

export type Piece = { kind: "same" | "added" | "removed"; text: string };

export interface SectionChange {
  heading: string;
  /** added: only in the newer version; removed: only in the older; changed: in both, differently. */
  change: "added" | "removed" | "changed";
  /** Sentences in order, each kept, added or removed. */
  sentences: Piece[];
  /** Word-level pieces of the whole section, for highlighting inside changed sentences. */
  words: Piece[];
}

const BLOCK = /\n{2,}/;
/** A short block without closing punctuation reads as a heading; documents without headings are one section. */
const looksLikeHeading = (block: string) => block.length <= 100 && !/[.!?:;,]$/.test(block) && !block.includes("\n");

export function splitSections(text: string): Section[] {
  const sections: Section[] = [];
  let current: Section = { heading: "", text: "" };
  for (const raw of text.split(BLOCK)) {
    const block = raw.trim();
    if (!block) continue;
    if (looksLikeHeading(block)) {
      if (current.heading || current.text) sections.push(current);
      current = { heading: block, text: "" };
    } else {
      current.text = current.text ? `${current.text}\n\n${block}` : block;
    }
  }
  if (current.heading || current.text) sections.push(current);
  return sections;
}

const pieces = (parts: { added?: boolean; removed?: boolean; value: string }[]): Piece[] =>
  parts.map((p) => ({ kind: p.added ? "added" : p.removed ? "removed" : "same", text: p.value }));

/** Sections matched by heading (the n-th section of a repeated heading matches the n-th). */
export function compareTexts(older: string, newer: string): SectionChange[] {
  const key = (sections: Section[]) => {
    const seen = new Map<string, number>();
    return sections.map((s) => {
      const n = seen.get(s.heading) ?? 0;
      seen.set(s.heading, n + 1);
      return `${s.heading}\u0000${n}`;
    });
  };
  const a = splitSections(older);
  const b = splitSections(newer);
  const aKeys = key(a);
  const bKeys = key(b);
  const aByKey = new Map(aKeys.map((k, i) => [k, a[i]!]));
  const bSet = new Set(bKeys);
  const out: SectionChange[] = [];
  // In the newer version's order; a removed section comes before the next section both versions
  // share, or at the end.
  let ai = 0;
  const flushRemoved = (until: number) => {
    for (; ai < until; ai++) {
      if (bSet.has(aKeys[ai]!)) continue;
      const s = a[ai]!;
      out.push({
        heading: s.heading,
        change: "removed",
        sentences: [{ kind: "removed", text: s.text }],
        words: [{ kind: "removed", text: s.text }],
      });
    }
  };
  bKeys.forEach((k, i) => {
    const s = b[i]!;
    const old = aByKey.get(k);
    if (old) flushRemoved(aKeys.indexOf(k) + 1);
    if (!old) {
      out.push({
        heading: s.heading,
        change: "added",
        sentences: [{ kind: "added", text: s.text }],
        words: [{ kind: "added", text: s.text }],
      });
    } else if (old.text !== s.text) {
      out.push({
        heading: s.heading,
        change: "changed",
        sentences: pieces(diffSentences(old.text, s.text)),
        words: pieces(diffWords(old.text, s.text)),
      });
    }
  });
  flushRemoved(a.length);
  return out;
}
