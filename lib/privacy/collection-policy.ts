import type { CollectionSummary } from "@/db/queries/collections";
import { isPiiType } from "./pii-types";
import type { PrivacyPolicy } from "./policy";

/** A collection row's policy columns as a PrivacyPolicy (unknown type names, from a newer release, are ignored). */
export function collectionPolicy(
  c: Pick<CollectionSummary, "piiPolicy" | "piiPolicyTypes" | "injectionPolicy">,
): PrivacyPolicy {
  return { pii: c.piiPolicy, piiTypes: c.piiPolicyTypes.filter(isPiiType), injection: c.injectionPolicy };
}
