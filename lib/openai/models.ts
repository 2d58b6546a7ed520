import "server-only";
import type { ReadScope } from "@/lib/auth/access";
import { AppError } from "@/lib/errors";

// Model names select what to search: `knowledge` is every collection the key's owner may read;
// `knowledge/<collection name>` (or `/<collection id>`) one of them. The list is built per caller
// from their grants now, so it names only collections they may read.

export const BASE_MODEL = "knowledge";

export function listModelIds(scope: ReadScope): { id: string; collectionIds: string[] }[] {
  return [
    { id: BASE_MODEL, collectionIds: [] },
    ...scope.collections.map((c) => ({ id: `${BASE_MODEL}/${c.name}`, collectionIds: [c.id] })),
  ];
}

function findCollection(scope: ReadScope, ref: string) {
  const lower = ref.toLowerCase();
  return scope.collections.find((c) => c.id === lower) ?? scope.collections.find((c) => c.name === ref);
}

/** The collections a request searches; [] means all readable ones. Unknown and unreadable look the same. */
export function resolveCollections(scope: ReadScope, model: string, collections: string[] | undefined): string[] {
  if (collections && collections.length > 0) {
    return collections.map((ref) => {
      const c = findCollection(scope, ref);
      if (!c) throw new AppError("not_found", `No collection named or with the id "${ref}" that you can read.`);
      return c.id;
    });
  }
  if (model === BASE_MODEL) return [];
  const prefix = `${BASE_MODEL}/`;
  const c = model.startsWith(prefix) ? findCollection(scope, model.slice(prefix.length)) : undefined;
  if (!c)
    throw new AppError(
      "not_found",
      `The model "${model}" does not exist or you do not have access to it. GET /v1/models lists yours.`,
    );
  return [c.id];
}
