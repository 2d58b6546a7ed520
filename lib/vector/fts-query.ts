// Turns a user's question into the plain terms given to LanceDB's BM25 match query. The terms are
// passed as a MatchQuery, never parsed as query syntax, so quotes, colons and "OR" in a question
// mean nothing special. Common English words are dropped here rather than in the index: they
// carry almost no BM25 weight but have the longest posting lists. (The index keeps them because
// LanceDB 0.30 fails on a query whose every term its tokenizer removes, e.g. "being", stemmed to
// the stop word "be", while some rows are not yet indexed.)

// Lucene's classic English stop words.
const STOP_WORDS = new Set(
  "a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with".split(
    " ",
  ),
);

/** LanceDB ignores longer tokens (FtsOptions.maxTokenLength default). */
const MAX_TOKEN_LENGTH = 40;
/** A question longer than this adds nothing to BM25 but cost. */
const MAX_TERMS = 64;

/** The searchable terms joined by spaces, or null when the query has none. */
export function toMatchText(query: string): string | null {
  const tokens =
    query
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const kept = tokens.filter((t) => !STOP_WORDS.has(t) && t.length <= MAX_TOKEN_LENGTH);
  return kept.length === 0 ? null : kept.slice(0, MAX_TERMS).join(" ");
}
