import "server-only";

// The access rule as a LanceDB (DataFusion SQL) predicate. It is passed to `where` on every
// search, which LanceDB applies before ranking (a prefilter): rows the caller may not read never
// compete for the limit and are never returned. Ids are interpolated into SQL, so only strings
// shaped like UUIDs are accepted; nothing else can reach the query text.
//
// A row's `restricted_to` holds the groups that may read it, or EVERYONE_GROUP when anyone who
// reads the collection may. Both clauses of the rule are then set lookups that LanceDB answers
// from scalar indexes (a bitmap on collection_id, a label list on restricted_to; see indexes.ts)
// instead of evaluating every row: at 100k chunks that halved the cost of the filter. Rows keep
// meaning "restricted to nobody" as [] everywhere outside the table (chunk-schema.ts converts).

/** Stands for "everyone who may read the collection" in the table. Never a real group: Postgres ids are version-4 UUIDs. */
export const EVERYONE_GROUP = "ffffffff-ffff-ffff-ffff-ffffffffffff";

/** What the caller may read, resolved from Postgres for this request. */
export interface AccessFilter {
  collectionIds: string[];
  groupIds: string[];
}

// Any 8-4-4-4-12 hex id (the nil UUID included: ingestion uses it as an "unpublished" group).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class InvalidIdError extends Error {
  constructor(what: string) {
    super(`${what} must be a UUID.`);
    this.name = "InvalidIdError";
  }
}

/** Returns the id in lower case (as Postgres prints it), or throws. */
export function normalizeId(value: unknown, what: string): string {
  if (typeof value !== "string" || !UUID.test(value)) throw new InvalidIdError(what);
  return value.toLowerCase();
}

export function normalizeIds(values: readonly unknown[], what: string): string[] {
  return [...new Set(values.map((v) => normalizeId(v, what)))];
}

/** A validated UUID is only hex digits and dashes, so single quotes cannot be broken out of. */
export function sqlId(value: unknown, what: string): string {
  return `'${normalizeId(value, what)}'`;
}

export function sqlIdList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(", ");
}

/**
 * A row is visible iff its collection is readable AND it is open to everyone in it or restricted
 * to at least one of the caller's groups. `narrowTo` can only shrink the readable set. Returns
 * null when nothing is readable: the caller must then answer [] without querying.
 */
export function accessPredicate(access: AccessFilter, narrowTo?: readonly string[]): string | null {
  let collections = normalizeIds(access.collectionIds, "A readable collection id");
  if (narrowTo) {
    const wanted = new Set(normalizeIds(narrowTo, "A collection id"));
    collections = collections.filter((c) => wanted.has(c));
  }
  if (collections.length === 0) return null;
  const groups = normalizeIds(access.groupIds, "A group id").filter((g) => g !== EVERYONE_GROUP);
  return `collection_id IN (${sqlIdList(collections)}) AND array_has_any(restricted_to, make_array(${sqlIdList([EVERYONE_GROUP, ...groups])}))`;
}
