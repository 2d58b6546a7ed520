import type { Actor } from "@/lib/auth/actor";

/**
 * Documents restricted to groups stay out of sight, names included, for readers outside those
 * groups; the collection's managers see everything they manage.
 */
export function visibleToReader<T extends { restrictedTo: { id: string }[] }>(
  docs: T[],
  actor: Actor,
  canManage: boolean,
): T[] {
  if (canManage) return docs;
  const mine = new Set(actor.groups.map((g) => g.id));
  return docs.filter((d) => d.restrictedTo.length === 0 || d.restrictedTo.some((g) => mine.has(g.id)));
}
