import "server-only";
import type { Executor } from "@/db/client";
import { listCollectionIdsWithGrants, listCollections } from "@/db/queries/collections";

// The steps from a fresh installation to one where somebody can ask a question: a collection,
// documents in it, and a reader. The home page shows the next one until all three hold for the
// same collection.

export type FirstRunStep = "create-collection" | "upload-documents" | "grant-readers";

export interface FirstRunProgress {
  /** The step to do next, or null once a collection has documents and a reader. */
  next: FirstRunStep | null;
  /** The collection the next step is about (the one furthest along), when there is one. */
  collection: { id: string; name: string } | null;
}

export async function getFirstRunProgress(db: Executor): Promise<FirstRunProgress> {
  const [collections, granted] = await Promise.all([listCollections(db), listCollectionIdsWithGrants(db)]);
  const withReaders = new Set(granted);
  const ready = collections.find((c) => c.documentCount > 0 && withReaders.has(c.id));
  if (ready) return { next: null, collection: { id: ready.id, name: ready.name } };
  const withDocuments = collections.find((c) => c.documentCount > 0);
  if (withDocuments) return { next: "grant-readers", collection: { id: withDocuments.id, name: withDocuments.name } };
  const first = collections.find((c) => withReaders.has(c.id)) ?? collections[0];
  if (first) return { next: "upload-documents", collection: { id: first.id, name: first.name } };
  return { next: "create-collection", collection: null };
}
