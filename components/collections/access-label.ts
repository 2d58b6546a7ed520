import type { AccessLevel } from "@/db/schema";

/** What the person's access to a collection means, in words. Administrators without a grant manage it but cannot read its content. */
export type CollectionAccess = AccessLevel | "admin";

export const ACCESS_LABELS: Record<CollectionAccess, string> = {
  read: "Read",
  manage: "Manage",
  admin: "Administer (no read grant)",
};
