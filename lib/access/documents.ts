import "server-only";
import type { Executor } from "@/db/client";
import { currentReadScope } from "@/lib/auth/access";
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
  const scope = await currentReadScope(db, userId);
  return scope !== null && scope.collectionIds.includes(doc.collectionId) && mayReadRestricted(doc, scope.groupIds);
}
