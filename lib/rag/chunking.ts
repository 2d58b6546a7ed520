// The chunker's defaults, here so that what records "which chunker built this index" (evaluation
// runs) reads the same numbers the ingestion pipeline (ingest/chunk) cuts with.

export const DEFAULT_MAX_TOKENS = 256;
export const DEFAULT_OVERLAP_TOKENS = 48;

/** Names the chunking that built the index: a change of either number means a reindex. */
export const CHUNKER_ID = `structure-aware/${DEFAULT_MAX_TOKENS}t/${DEFAULT_OVERLAP_TOKENS}o`;
