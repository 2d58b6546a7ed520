// Text as the injection rules read it: compatibility-normalised (full-width and styled letters
// become plain ones), lower case, look-alike Cyrillic and Greek letters mapped to Latin,
// invisible characters dropped, runs of spaces collapsed. `map` takes each position of the
// normalised text back to the original, so findings point at what the document really says.

const CONFUSABLES: Record<string, string> = {
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  і: "i",
  ї: "i",
  ј: "j",
  ѕ: "s",
  ԁ: "d",
  ɡ: "g",
  һ: "h",
  ӏ: "l",
  α: "a",
  β: "b",
  ε: "e",
  η: "n",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
  ω: "w",
  "‘": "'",
  "’": "'",
  "‚": "'",
  "‛": "'",
  "“": '"',
  "”": '"',
  "„": '"',
  "‟": '"',
  "«": '"',
  "»": '"',
  "‐": "-",
  "‑": "-",
  "‒": "-",
  "–": "-",
  "—": "-",
  "―": "-",
  "\u00A0": " ",
};

const INVISIBLE = /^[\u200B-\u200F\u2060-\u2064\uFEFF\u180E\u00AD\u202A-\u202E\u2066-\u2069\u061C]$/;

export interface Normalized {
  text: string;
  /** map[i]: index in the original of the character that produced text[i]; map[text.length] = original length. */
  map: Int32Array;
}

export function normalizeForScan(original: string): Normalized {
  const out: string[] = [];
  const map: number[] = [];
  let lastSpace = true;
  const emit = (s: string, from: number) => {
    for (const ch of s) {
      const isSpace = ch === " " || ch === "\t" || ch === "\r" || ch === "\f" || ch === "\v";
      if (isSpace) {
        if (lastSpace) continue;
        out.push(" ");
      } else {
        out.push(ch);
      }
      lastSpace = isSpace || ch === "\n";
      map.push(from);
    }
  };
  for (let i = 0; i < original.length; i++) {
    const code = original.charCodeAt(i);
    if (code < 0x80) {
      emit(code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : original[i]!, i);
      continue;
    }
    // A surrogate pair is one code point.
    const cp = original.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const width = ch.length;
    if (cp >= 0xe0000 && cp <= 0xe007f) {
      i += width - 1;
      continue;
    }
    if (INVISIBLE.test(ch)) continue;
    const folded = ch.normalize("NFKC").toLowerCase();
    let mapped = "";
    for (const c of folded) mapped += CONFUSABLES[c] ?? c;
    emit(mapped.normalize("NFKD").replace(/[\u0300-\u036f]/g, ""), i);
    i += width - 1;
  }
  map.push(original.length);
  return { text: out.join(""), map: Int32Array.from(map) };
}

/** The original span behind normalised [start, end). */
export function originalSpan(original: string, norm: Normalized, start: number, end: number): [number, number] {
  if (end <= start) return [norm.map[start] ?? original.length, norm.map[start] ?? original.length];
  const from = norm.map[start]!;
  const last = norm.map[end - 1]!;
  const width = (original.codePointAt(last) ?? 0) > 0xffff ? 2 : 1;
  return [from, last + width];
}
