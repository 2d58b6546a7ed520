// Where to cut a block that is too long for one chunk: at a line or sentence end if one is near
// the limit, else between words, else (a monster token) at the limit itself.

const SENTENCE_END = /[.!?…。！？]["'”’)\]]*$/;

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch);
}

/** True when a piece may end at `q`: after a line, or after sentence punctuation followed by space. */
function isSentenceBoundary(text: string, q: number): boolean {
  if (text[q - 1] === "\n") return true;
  if (!isSpace(text[q])) return false;
  return SENTENCE_END.test(text.slice(Math.max(0, q - 4), q));
}

/** A non-space character after a line break, or after sentence punctuation and spaces. */
function isSentenceStart(text: string, q: number): boolean {
  if (isSpace(text[q]) || !isSpace(text[q - 1])) return false;
  let p = q - 1;
  while (p > 0 && isSpace(text[p])) {
    if (text[p] === "\n") return true;
    p--;
  }
  return SENTENCE_END.test(text.slice(Math.max(0, p - 3), p + 1));
}

/** Never cut between the halves of a surrogate pair. */
function safeCut(text: string, q: number): number {
  const code = text.charCodeAt(q - 1);
  return code >= 0xd800 && code <= 0xdbff ? q - 1 : q;
}

/**
 * End (exclusive) of a piece starting at `from` that may reach at most `limit`. Prefers the last
 * sentence or line boundary in the back 70% of the window, so pieces are not cut tiny.
 */
export function findCut(text: string, from: number, limit: number): number {
  const floor = from + Math.floor((limit - from) * 0.3);
  for (let q = limit; q > floor; q--) if (isSentenceBoundary(text, q)) return q;
  for (let q = limit; q > from; q--) if (isSpace(text[q]) && !isSpace(text[q - 1])) return q;
  return Math.max(from + 1, safeCut(text, limit));
}

/**
 * Start of the next piece so that it repeats about `overlap` characters before `end`: the first
 * sentence start in that window, else the first word start; `end` itself when there is neither.
 */
export function findOverlapStart(text: string, from: number, end: number, overlap: number): number {
  if (overlap <= 0) return end;
  const windowStart = Math.max(from + 1, end - overlap);
  for (let q = windowStart; q < end; q++) if (isSentenceStart(text, q)) return q;
  for (let q = windowStart; q < end; q++) if (!isSpace(text[q]) && isSpace(text[q - 1])) return q;
  return end;
}
