import { readableDocuments } from "@/lib/access/visibility";
import type { Actor } from "@/lib/auth/actor";

/**
 * Documents restricted to groups stay out of sight, names included, for readers outside those
 * groups; the collection's managers see everything they manage. The rule is lib/access/visibility.ts.
 */
export function visibleToReader<T extends { restrictedTo: { id: string }[] }>(
  docs: T[],
  actor: Actor,
  canManage: boolean,
): T[] {
  return canManage
    ? docs
    : readableDocuments(
        docs,
        actor.groups.map((g) => g.id),
      );
}
