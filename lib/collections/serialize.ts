import type { CollectionSummary } from "@/db/queries/collections";
import { collectionPolicy } from "@/lib/privacy/collection-policy";

export function collectionJson(c: CollectionSummary, access: "read" | "manage" | "admin") {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    documentCount: c.documentCount,
    access,
    privacy: collectionPolicy(c),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
