// Tesseract's layout (blocks → paragraphs → lines → words) as paragraphs of running text, each
// with the confidence Tesseract gives it. Lines are joined with spaces; a word hyphenated across
// a line end is joined without one, keeping the hyphen, as the PDF text layout does.

import type { Block } from "tesseract.js";

export interface OcrParagraph {
  text: string;
  /** 0–100. */
  confidence: number;
}

/** Paragraphs with fewer letters or digits than this are specks and rules read as text. */
const MIN_ALNUM = 2;

export function ocrParagraphs(blocks: Block[]): OcrParagraph[] {
  const out: OcrParagraph[] = [];
  for (const block of blocks) {
    for (const paragraph of block.paragraphs ?? []) {
      let text = "";
      for (const line of paragraph.lines ?? []) {
        const part = line.text.replace(/\s+/g, " ").trim();
        if (!part) continue;
        if (/\p{L}-$/u.test(text) && /^\p{Ll}/u.test(part)) text += part;
        else text = text ? `${text} ${part}` : part;
      }
      if ((text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < MIN_ALNUM) continue;
      out.push({ text, confidence: round(paragraph.confidence) });
    }
  }
  return out;
}

export function round(confidence: number): number {
  return Math.round(Math.max(0, Math.min(100, confidence)) * 10) / 10;
}
