import "server-only";
import type { Executor } from "@/db/client";
import { listDocuments } from "@/db/queries/documents";
import { mayReadRestricted } from "@/lib/access/visibility";
import { requireCollection } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/actor";
import { readerListingVersion } from "./effective";
import { documentListingJson } from "./serialize";

/**
 * A collection's documents as its page and GET /api/collections/:id/documents show them. Readers
 * see the documents they could be answered from; managers also see those restricted to other
 * groups, by name and status, but their text (scan excerpts) only where they could read it.
 * `readable` says whether the actor may open the document: a read grant and a matching restriction.
 */
export async function listCollectionDocuments(db: Executor, actor: Actor, collectionId: string) {
  const { collection, access, isAdmin } = await requireCollection(db, actor, collectionId, "list");
  const canManage = isAdmin || access === "manage";
  const groupIds = new Set(actor.groups.map((g) => g.id));
  const documents = [];
  // Readers see the version in effect now; managers also see scheduled and superseded ones.
  const listing = await listDocuments(db, {
    collectionId,
    ...(canManage ? {} : { latestId: (times) => readerListingVersion(times) }),
  });
  for (const d of listing) {
    const readable = access !== null && mayReadRestricted(d, groupIds);
    if (!canManage && !mayReadRestricted(d, groupIds)) continue;
    documents.push({
      ...documentListingJson(d, { withScan: canManage, withExcerpts: readable }),
      readable: readable && d.currentVersionId !== null,
    });
  }
  return { collection, access, isAdmin, canManage, documents };
}
