// Text helpers shared by the detector and the parsers: decoding bytes and cleaning block text.

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

// Windows-1252 differs from Latin-1 only in 0x80–0x9F. Node's TextDecoder("windows-1252") decodes
// those as Latin-1 control characters, so the mapping is done here (0 = undefined in the code page).
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0, 0,
  0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    units[i] = b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] || b : b;
  }
  return new TextDecoder("utf-16le").decode(units);
}

function tryDecode(encoding: string, bytes: Uint8Array): string | null {
  if (encoding === "windows-1252") return decodeWindows1252(bytes);
  try {
    return (encoding === "utf-8" ? UTF8 : new TextDecoder(encoding, { fatal: true })).decode(bytes);
  } catch (err) {
    if (err instanceof TypeError) return null; // the decoder's way of saying "not this encoding"
    throw err;
  }
}

/**
 * Decodes text files: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252, which is
 * what legacy exports from office systems usually are. Returns null for bytes that are not text
 * (too many control characters), so the caller reports a binary file instead of indexing mojibake.
 */
export function decodeText(bytes: Uint8Array): string | null {
  let text: string | null;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = tryDecode("utf-16le", bytes);
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = tryDecode("utf-16be", bytes);
  else text = tryDecode("utf-8", bytes) ?? tryDecode("windows-1252", bytes);
  return text === null || hasBinaryControls(text) ? null : text;
}

/** NUL and C0/C1 controls are rare in real text files but make up ~1 byte in 8 of binary data. */
function hasBinaryControls(text: string): boolean {
  const sample = text.length > 65_536 ? text.slice(0, 65_536) : text;
  let controls = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || (c >= 0x7f && c <= 0x9f)) controls++;
  }
  return controls > sample.length / 100;
}

/** Whitespace-only check on raw bytes, so an empty file is reported as empty rather than "binary". */
export function isBlankBytes(bytes: Uint8Array): boolean {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  else if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) i = 2;
  for (; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x00) return false;
  }
  return true;
}

// Postgres text columns reject NUL, and other control characters only confuse embedders and readers.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F\uFFFD]/g;

/** Removes control characters (keeping tabs and newlines) and U+FFFD from any text bound for the index. */
export function stripControls(text: string): string {
  return text.replace(CONTROL_CHARS, "");
}

/** Collapses all whitespace (including NBSP) to single spaces: for text that flows as one line. */
export function collapseSpace(text: string): string {
  return text
    .replace(CONTROL_CHARS, "")
    .replace(/[\s\u00A0]+/g, " ")
    .trim();
}

/** Keeps line structure but trims each line and drops control characters and runs of blank lines. */
export function cleanMultiline(text: string): string {
  return text
    .replace(CONTROL_CHARS, "")
    .replace(/\r\n?/g, "\n")
    .replace(/\f/g, "\n")
    .split("\n")
    .map((line) => line.replace(/[ \t\u00A0]+$/g, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\s*\n/, "")
    .trimEnd();
}

/** Normalises newlines and strips a BOM, for formats whose parsers want a plain string. */
export function normalizeNewlines(text: string): string {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, "\n");
}
