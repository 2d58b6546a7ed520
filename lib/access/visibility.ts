// The one rule for which documents a reader may see, by group ids (never names, which can be
// renamed or reused). Retrieval, listings, the viewer, downloads and the confirmation of
// passages after a search all ask here.

/** A document's restriction: the groups it is limited to; empty means everyone who may read its collection. */
export interface Restricted {
  restrictedTo: readonly { id: string }[];
}

function groupSet(groupIds: Iterable<string>): ReadonlySet<string> {
  return groupIds instanceof Set ? groupIds : new Set(groupIds);
}

/** Whether a reader in these groups may see a document with this restriction. */
export function mayReadRestricted(doc: Restricted, readerGroupIds: Iterable<string>): boolean {
  if (doc.restrictedTo.length === 0) return true;
  const mine = groupSet(readerGroupIds);
  return doc.restrictedTo.some((g) => mine.has(g.id));
}

/** The documents a reader in these groups may see. */
export function readableDocuments<T extends Restricted>(docs: T[], readerGroupIds: Iterable<string>): T[] {
  const mine = groupSet(readerGroupIds);
  return docs.filter((d) => mayReadRestricted(d, mine));
}
