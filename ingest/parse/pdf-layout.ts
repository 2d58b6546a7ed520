// Rebuilds reading structure from positioned PDF text runs: lines from baselines, paragraphs from
// vertical gaps and font changes, headings from font size, and repeated page headers/footers.

export interface TextRun {
  str: string;
  x: number;
  /** Baseline, in PDF user space (grows upwards). */
  y: number;
  width: number;
  size: number;
}

export interface Line {
  text: string;
  y: number;
  /** Font size carrying most of the line's characters; superscripts do not count. */
  size: number;
}

export interface Paragraph {
  text: string;
  size: number;
  lineCount: number;
  page: number;
  bullet: boolean;
}

/** Table-of-contents entries ("Governance ........ 4") are set large but are not headings. */
const TOC_LEADER = /(?:\.\s?){4,}|…{2,}/;
const BULLET = /^[•▪◦●■□➢►‣⁃∙·o-]\s+/u;

function dominantSize(sizes: Map<number, number>): number {
  let best = 0;
  let bestChars = -1;
  for (const [size, chars] of sizes) {
    if (chars > bestChars || (chars === bestChars && size > best)) {
      best = size;
      bestChars = chars;
    }
  }
  return best;
}

export function roundSize(size: number): number {
  return Math.round(size * 2) / 2;
}

/** Groups runs (in content-stream order) into lines by baseline; gaps between runs become spaces. */
export function buildLines(runs: TextRun[]): Line[] {
  const lines: Line[] = [];
  let parts: string[] = [];
  let sizes = new Map<number, number>();
  let lineY = 0;
  let lineSize = 0;
  // The baseline of the longest run stands for the line, so a leading superscript does not skew it.
  let baseline = 0;
  let longestRun = 0;
  let endX = 0;
  let lastChar = " ";

  const finish = () => {
    const text = parts.join("").replace(/\s+/g, " ").trim();
    if (text) lines.push({ text, y: baseline, size: dominantSize(sizes) });
    parts = [];
    sizes = new Map();
    longestRun = 0;
  };

  for (const run of runs) {
    const blank = run.str.trim() === "";
    const sameLine =
      parts.length > 0 &&
      Math.abs(run.y - lineY) <= Math.max(run.size, lineSize) * 0.5 &&
      run.x >= endX - Math.max(run.size, lineSize) * 2;
    if (!sameLine) {
      if (blank) continue;
      finish();
      lineY = run.y;
      lineSize = run.size;
      lastChar = " ";
    } else if (!blank && lastChar !== " " && !/^\s/.test(run.str) && run.x - endX > run.size * 0.2) {
      parts.push(" ");
    }
    parts.push(run.str);
    if (!blank) {
      const key = roundSize(run.size);
      sizes.set(key, (sizes.get(key) ?? 0) + run.str.length);
      lineSize = Math.max(lineSize, run.size);
      if (run.str.length > longestRun) {
        longestRun = run.str.length;
        baseline = run.y;
      }
    }
    lastChar = run.str.at(-1) ?? lastChar;
    endX = run.x + run.width;
  }
  finish();
  return lines;
}

const PAGE_NUMBER = /^(?:page\s*)?(?:\p{L}{1,2}\s?[-.]?\s?)?#(?:\s*(?:of|\/)\s*#)?$/u;

function normalizeForRepeat(text: string): string {
  return text.toLowerCase().replace(/\d+/g, "#").replace(/\s+/g, " ").trim();
}

/**
 * Removes running headers and footers: lines among the two top-most or bottom-most of a page whose
 * text (digits masked, so page numbers match) recurs on at least half of the pages, minimum 3.
 */
export function dropRepeatedEdges(pages: Line[][]): Line[][] {
  const edgeSets = pages.map((lines) => {
    const byY = [...lines].sort((a, b) => b.y - a.y);
    return new Set([...byY.slice(0, 2), ...byY.slice(-2)]);
  });
  const counts = new Map<string, number>();
  for (const edges of edgeSets) {
    for (const key of new Set([...edges].map((l) => normalizeForRepeat(l.text))))
      counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const pagesWithText = pages.filter((lines) => lines.length > 0).length;
  const threshold = Math.max(3, Math.ceil(pagesWithText / 2));
  const isBoilerplate = (key: string) => {
    const count = counts.get(key) ?? 0;
    // Page numbers of one part ("Page D-16") recur on fewer pages but are never content.
    return count >= threshold || (count >= 3 && PAGE_NUMBER.test(key));
  };
  return pages.map((lines, i) =>
    lines.filter((line) => !(edgeSets[i]!.has(line) && isBoilerplate(normalizeForRepeat(line.text)))),
  );
}

/** Joins lines into paragraphs; a wrapped hyphenated word is rejoined without a space. */
export function buildParagraphs(lines: Line[], page: number): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  let current: { parts: string[]; size: number; lines: number; bullet: boolean; lastY: number } | undefined;

  const finish = () => {
    if (current)
      paragraphs.push({
        text: current.parts.join(""),
        size: current.size,
        lineCount: current.lines,
        page,
        bullet: current.bullet,
      });
    current = undefined;
  };

  for (const line of lines) {
    const bullet = BULLET.test(line.text) && !/^-\s*\d/.test(line.text);
    const text = bullet ? `- ${line.text.replace(BULLET, "")}` : line.text;
    if (current) {
      const gap = current.lastY - line.y;
      const leading = Math.max(current.size, line.size);
      const sameFont = Math.abs(roundSize(line.size) - roundSize(current.size)) < 0.75;
      if (!bullet && sameFont && gap > 0 && gap <= leading * 1.6) {
        const prev = current.parts[current.parts.length - 1] ?? "";
        current.parts.push(/\p{L}-$/u.test(prev) && /^\p{Ll}/u.test(text) ? text : ` ${text}`);
        current.lines++;
        current.lastY = line.y;
        continue;
      }
      finish();
    }
    current = { parts: [text], size: line.size, lines: 1, bullet, lastY: line.y };
  }
  finish();
  return paragraphs;
}

/** The size most characters are set in: body text. */
export function bodyFontSize(paragraphs: Paragraph[]): number {
  const chars = new Map<number, number>();
  for (const p of paragraphs) chars.set(roundSize(p.size), (chars.get(roundSize(p.size)) ?? 0) + p.text.length);
  return dominantSize(chars);
}

/**
 * Heading levels by font size: short paragraphs set clearly larger than body text are headings,
 * ranked from the largest size (level 1) down, at most six levels.
 */
export function headingLevels(paragraphs: Paragraph[], bodySize: number): Map<Paragraph, number> {
  const isHeading = (p: Paragraph) =>
    !p.bullet &&
    roundSize(p.size) > roundSize(bodySize) &&
    p.size >= bodySize * 1.05 &&
    p.lineCount <= 3 &&
    p.text.length <= 200 &&
    /\p{L}{2}/u.test(p.text) &&
    !TOC_LEADER.test(p.text);
  const candidates = paragraphs.filter(isHeading);
  const sizes = [...new Set(candidates.map((p) => roundSize(p.size)))].sort((a, b) => b - a);
  const levels = new Map<Paragraph, number>();
  for (const p of candidates) levels.set(p, Math.min(6, sizes.indexOf(roundSize(p.size)) + 1));
  return levels;
}
