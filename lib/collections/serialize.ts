import type { CollectionSummary } from "@/db/queries/collections";

export function collectionJson(c: CollectionSummary, access: "read" | "manage" | "admin") {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    documentCount: c.documentCount,
    access,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
