import "server-only";
import type { Executor } from "@/db/client";
import { getCollectionById, listCollections, type CollectionSummary } from "@/db/queries/collections";
import type { AccessLevel } from "@/db/schema";
import { resolveReadScope } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";

/** Collections the actor may read through grants; administrators also see every other one (access "admin"). */
export async function listCollectionsFor(
  db: Executor,
  actor: Actor,
): Promise<(CollectionSummary & { access: AccessLevel | "admin" })[]> {
  const scope = await resolveReadScope(db, actor);
  const rows: (CollectionSummary & { access: AccessLevel | "admin" })[] = [...scope.collections];
  if (!actor.roles.includes("admin")) return rows;
  const granted = new Set(scope.collectionIds);
  for (const c of await listCollections(db)) if (!granted.has(c.id)) rows.push({ ...c, access: "admin" });
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every collection's id and name, for the compliance console's filters (no content). */
export async function listCollectionNames(db: Executor): Promise<{ id: string; name: string }[]> {
  return (await listCollections(db)).map((c) => ({ id: c.id, name: c.name }));
}

export async function requireCollectionById(db: Executor, id: string, message = "No collection with this id.") {
  const collection = await getCollectionById(db, { id });
  if (!collection) throw new AppError("not_found", message);
  return collection;
}
