import "server-only";
import type { Executor } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { currentReadScope, type ReadScope } from "@/lib/auth/access";
import { AppError } from "@/lib/errors";
import type { Embedder } from "@/lib/models/embedder";
import type { Reranker } from "@/lib/models/reranker";
import type { AccessFilter, ChunkStore } from "@/lib/vector/store";
import { InvalidIdError, normalizeId } from "@/lib/vector/access-filter";
import { DEFAULT_FUSION, type FusionParams } from "./fusion";
import { rankPassages, type RetrievalMode } from "./rank";
import { floorFor, type FloorParams } from "./relevance";
import { RERANK_DEPTH, rerankHits } from "./rerank";
import type { FusedHit } from "./types";

// Permission-aware hybrid retrieval: the question is embedded, the vector search and the BM25
// search run concurrently, both with the caller's access rule inside the LanceDB query (a
// prefilter: rows the caller may not read are never ranked, returned or counted), then the two
// lists are fused (lib/rag/fusion.ts) and cut by the relevance floor (lib/rag/relevance.ts).

export interface SearchTimings {
  /** Embedding the question. */
  embedMs: number;
  vectorMs: number;
  textMs: number;
  /** Fusion, term coverage, deduplication and the floor. */
  fuseMs: number;
  /** The reranking model, when one is configured. */
  rerankMs?: number;
  totalMs: number;
}

export interface SearchResult {
  /** Passages that cleared the floor, best first, at most `limit`. Empty: the documents do not cover the question. */
  hits: FusedHit[];
  /** Distinct passages the two searches returned together. */
  candidates: number;
  /**
   * How many of those the relevance floor removed before `limit` passages were found: every
   * candidate (after deduplication) when none cleared it.
   */
  belowFloor: number;
  timings: SearchTimings;
}

export interface SearchPassagesOptions {
  store: ChunkStore;
  embedder: Embedder;
  /** What the caller may read, resolved from Postgres for this request. */
  access: AccessFilter;
  question: string;
  /** Narrows the search to these collections; never widens `access`. */
  collectionIds?: string[];
  /** Searches the versions in effect at this moment (an "as of" question); default: now. */
  asOf?: Date;
  /** Passages to return, 1 to 200 (default 8). */
  limit?: number;
  /** "text" (BM25 only) and "vector" exist for benchmarks and diagnosis; the product uses "hybrid". */
  mode?: RetrievalMode;
  /** Default: the floor measured for this embedder (floorFor). null switches it off (benchmarks of ranking quality only). */
  floor?: FloorParams | null;
  fusion?: FusionParams;
  /** A reranking model (RERANKER_MODEL_PATH): reorders the best RERANK_DEPTH passages that cleared the floor. */
  reranker?: Reranker | null;
}

export const DEFAULT_LIMIT = 8;
export const MAX_LIMIT = 200;
/** Longer questions are refused: their terms add nothing to BM25 and embedding them costs. */
export const MAX_QUESTION_CHARS = 4000;
/** Each list is searched this deep at least; fusion needs candidates beyond the final limit. */
const MIN_DEPTH = 50;

const now = () => performance.now();

/** The trimmed question and the limit, or a clear invalid_request. */
function checkRequest(opts: { question: string; limit?: number }): { question: string; limit: number } {
  const question = opts.question.trim();
  if (!question) throw new AppError("invalid_request", "The question is empty.");
  if (question.length > MAX_QUESTION_CHARS)
    throw new AppError("invalid_request", `The question is longer than ${MAX_QUESTION_CHARS} characters.`);
  const limit = opts.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new AppError("invalid_request", `limit must be an integer from 1 to ${MAX_LIMIT}.`);
  return { question, limit };
}

export async function searchPassages(opts: SearchPassagesOptions): Promise<SearchResult> {
  const start = now();
  const { question, limit } = checkRequest(opts);
  const mode = opts.mode ?? "hybrid";
  const depth = Math.max(MIN_DEPTH, limit);
  // The effective-date rule goes into the LanceDB query with the access rule (lib/vector/effective-filter.ts).
  const search = {
    access: opts.access,
    collectionIds: opts.collectionIds,
    limit: depth,
    effectiveAt: (opts.asOf ?? new Date()).getTime(),
  };

  // BM25 needs no embedding, so it starts at once; the vector search starts when the question's
  // vector is ready. Promise.all holds both from the start, so neither can fail unobserved.
  const timings = { embedMs: 0, vectorMs: 0, textMs: 0 };
  const lexical = async () => {
    if (mode === "vector") return [];
    const t = now();
    const hits = await opts.store.textSearch(question, { ...search, withVectors: true });
    timings.textMs = now() - t;
    return hits;
  };
  const semantic = async () => {
    const t = now();
    const [queryVector] = await opts.embedder.embed([question]);
    timings.embedMs = now() - t;
    if (mode === "text") return { queryVector: queryVector!, hits: [] };
    const t2 = now();
    const hits = await opts.store.vectorSearch(queryVector!, search);
    timings.vectorMs = now() - t2;
    return { queryVector: queryVector!, hits };
  };
  const [text, { queryVector, hits: vector }] = await Promise.all([lexical(), semantic()]);

  const t = now();
  const reranker = opts.reranker ?? null;
  const ranked = rankPassages({
    question,
    queryVector,
    vector,
    text,
    limit: reranker ? Math.min(MAX_LIMIT, Math.max(limit, RERANK_DEPTH)) : limit,
    mode,
    floor: opts.floor === undefined ? floorFor(opts.embedder.id) : opts.floor,
    fusion: opts.fusion ?? DEFAULT_FUSION,
  });
  const fused = now();
  if (!reranker) return { ...ranked, timings: { ...timings, fuseMs: fused - t, totalMs: fused - start } };
  const hits = await rerankHits(reranker, question, ranked.hits, limit);
  const end = now();
  return { ...ranked, hits, timings: { ...timings, fuseMs: fused - t, rerankMs: end - fused, totalMs: end - start } };
}

export interface RetrieveForActorOptions {
  db: Executor;
  store: ChunkStore;
  embedder: Embedder;
  actor: Actor;
  question: string;
  /**
   * Collections the user picked; each must be readable, else not_found (without saying which).
   * Omitted or empty: every collection the user may read.
   */
  collectionIds?: string[];
  /** An "as of" question: the versions in effect then are searched; default: now. */
  asOf?: Date;
  limit?: number;
  reranker?: Reranker | null;
  /** The scope the request resolved once at its start; read from the database here when absent. */
  scope?: ReadScope;
}

export type ActorSearchResult = SearchResult & { scope: { collectionIds: string[]; groupIds: string[] } };

/**
 * Retrieval for a signed-in user. Who may read what comes from Postgres, roles and groups
 * included (never from the session): the request's scope, resolved once, or read here, so a
 * revoked grant or a removed membership applies to the very next question.
 */
export async function retrieveForActor(opts: RetrieveForActorOptions): Promise<ActorSearchResult> {
  const start = now();
  checkRequest(opts);
  const scope = opts.scope ?? (await currentReadScope(opts.db, opts.actor.id));
  if (!scope) throw new AppError("unauthorized", "This account is disabled or no longer exists.");

  let collectionIds = scope.collectionIds;
  if (opts.collectionIds !== undefined && opts.collectionIds.length > 0) {
    const readable = new Set(scope.collectionIds);
    const wanted = [...new Set(opts.collectionIds.map((id) => normalizeRequestedId(id)))];
    // One answer for "does not exist" and "exists but not yours": existence is not revealed.
    if (wanted.some((id) => !readable.has(id))) throw new AppError("not_found", "No collection with this id.");
    collectionIds = wanted;
  }
  const result: ActorSearchResult["scope"] = { collectionIds, groupIds: scope.groupIds };
  if (collectionIds.length === 0) {
    // Nothing readable: LanceDB is not queried at all.
    const totalMs = now() - start;
    return {
      hits: [],
      candidates: 0,
      belowFloor: 0,
      timings: { embedMs: 0, vectorMs: 0, textMs: 0, fuseMs: 0, totalMs },
      scope: result,
    };
  }
  const found = await searchPassages({
    store: opts.store,
    embedder: opts.embedder,
    access: { collectionIds, groupIds: scope.groupIds },
    question: opts.question,
    limit: opts.limit,
    asOf: opts.asOf,
    reranker: opts.reranker,
  });
  return { ...found, timings: { ...found.timings, totalMs: now() - start }, scope: result };
}

function normalizeRequestedId(id: unknown): string {
  try {
    return normalizeId(id, "A collection id");
  } catch (err) {
    // Not even a UUID: it cannot name a collection.
    if (err instanceof InvalidIdError) throw new AppError("not_found", "No collection with this id.");
    throw err;
  }
}
