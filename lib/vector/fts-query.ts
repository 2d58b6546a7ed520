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

/**
 * How people wrap a question ("can you clarify", "could you please explain", "I would like to
 * know"). Documents rarely use these words, so BM25 gives them a high weight and a passage that
 * happens to say "clarify" outranks the one about the question's subject. They are dropped while
 * the question has other words. Common question words (what, how, which, requirements) stay:
 * they weigh little, and on the regulatory questions they carried some signal. Measured (docs/adr/0029)
 * on SciFact train with "Can you clarify whether" before each claim: BM25 nDCG@10 0.6772 kept,
 * 0.6916 dropped, against 0.6917 for the bare claims.
 */
const PHRASING = new Set(
  "can could would please clarify explain describe tell me show help understand know wondering wonder like want ask asking regarding whether you your i".split(
    " ",
  ),
);

/** LanceDB ignores longer tokens (FtsOptions.maxTokenLength default). */
const MAX_TOKEN_LENGTH = 40;
/** A question longer than this adds nothing to BM25 but cost. */
const MAX_TERMS = 64;

/**
 * The searchable terms joined by spaces, or null when the query has none. `keepPhrasing` is for
 * the benchmark that compares with how questions were searched before (bench/bm25-phrasing.ts).
 */
export function toMatchText(query: string, opts: { keepPhrasing?: boolean } = {}): string | null {
  const tokens =
    query
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const kept = tokens.filter((t) => !STOP_WORDS.has(t) && t.length <= MAX_TOKEN_LENGTH);
  // A question made only of phrasing ("could you help?") is searched as it is.
  const content = opts.keepPhrasing ? kept : kept.filter((t) => !PHRASING.has(t));
  const terms = content.length > 0 ? content : kept;
  return terms.length === 0 ? null : terms.slice(0, MAX_TERMS).join(" ");
}
