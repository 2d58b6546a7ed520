import "server-only";
import type { Executor } from "@/db/client";
import { listGrantedCollections } from "@/db/queries/collections";
import { getUserWithAccess } from "@/db/queries/users";
import { mayReadRestricted, type Restricted } from "./visibility";

/**
 * Whether the user may read a document's content now, read from the database at call time: an
 * enabled account, a read or manage grant on its collection (administrators too), and membership
 * of one of the groups it is restricted to, if any.
 */
export async function userMayReadDocument(
  db: Executor,
  userId: string,
  doc: Restricted & { collectionId: string },
): Promise<boolean> {
  const user = await getUserWithAccess(db, { id: userId });
  if (!user || user.disabled) return false;
  const groupIds = user.groups.map((g) => g.id);
  const granted = await listGrantedCollections(db, { roles: user.roles, groupIds });
  return granted.some((c) => c.id === doc.collectionId) && mayReadRestricted(doc, groupIds);
}
