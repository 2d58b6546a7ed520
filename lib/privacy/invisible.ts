// Characters a reader cannot see but a model reads: zero-width characters, bidirectional
// controls that reorder what is displayed, and Unicode "tag" characters, which spell out ASCII
// invisibly (a known way to smuggle instructions past a human reviewer).

// Zero-width (non-)joiners are left out: Persian, Devanagari and emoji sequences need them.
export const ZERO_WIDTH = /[\u200B\u2060\uFEFF\u180E]/g;
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
// U+E0000–U+E007F as surrogate pairs.
export const TAG_CHARACTERS = /\uDB40[\uDC00-\uDC7F]/g;

export interface InvisibleCharacters {
  zeroWidth: number;
  bidi: number;
  tags: number;
  /** What the tag characters spell, when they spell printable ASCII. */
  tagText: string;
}

export function countInvisible(text: string): InvisibleCharacters {
  const tagText = [...text.matchAll(TAG_CHARACTERS)]
    .map((m) => String.fromCharCode(m[0].charCodeAt(1) - 0xdc00))
    .filter((c) => c >= " " && c <= "~")
    .join("");
  return {
    zeroWidth: text.match(ZERO_WIDTH)?.length ?? 0,
    bidi: text.match(BIDI_CONTROLS)?.length ?? 0,
    tags: text.match(TAG_CHARACTERS)?.length ?? 0,
    tagText,
  };
}

/**
 * Removes what has no business in indexed text: tag characters, bidi overrides and isolates,
 * and zero-width spaces, word joiners and stray BOMs. Zero-width (non-)joiners stay: scripts such
 * as Persian and Devanagari and emoji sequences need them. Emoji flag sequences use tag
 * characters too, but an index loses nothing by dropping those.
 */
export function stripInvisible(text: string): string {
  return text
    .replace(TAG_CHARACTERS, "")
    .replace(/[\u202A-\u202E\u2066-\u2069]/g, "")
    .replace(/[\u200B\u2060\uFEFF\u180E]/g, "");
}
