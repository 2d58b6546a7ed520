// A collection's ingestion policy for personal data and prompt injection, and its validation.
// Pure: the collection pages, the API and the pipeline share it.

import { z } from "zod";
import { INJECTION_POLICIES, PII_POLICIES, type InjectionPolicy, type PiiPolicy } from "@/db/schema/collections";
import { AppError } from "@/lib/errors";
import { PII_TYPES, type PiiType } from "./pii-types";

export { INJECTION_POLICIES, PII_POLICIES, type InjectionPolicy, type PiiPolicy };

export interface PrivacyPolicy {
  pii: PiiPolicy;
  /** The types "mask" and "reject" act on; "tag" tags every type found. */
  piiTypes: PiiType[];
  injection: InjectionPolicy;
}

export const DEFAULT_PRIVACY_POLICY: PrivacyPolicy = {
  pii: "tag",
  piiTypes: ["ssn", "credit_card", "iban", "date_of_birth", "mrn", "secret", "password"],
  injection: "quarantine",
};

export const PII_POLICY_LABELS: Record<PiiPolicy, string> = {
  tag: "Index as-is and tag passages with the kinds of personal data found",
  mask: "Mask the chosen kinds (for example [SSN]) before indexing",
  reject: "Refuse documents that contain any of the chosen kinds",
};

export const INJECTION_POLICY_LABELS: Record<InjectionPolicy, string> = {
  quarantine: "Hold the document for an administrator's review before it becomes searchable",
  warn: "Index it and show a warning to administrators",
};

const piiTypesSchema = z
  .array(z.enum(PII_TYPES, { error: () => `piiTypes may hold: ${PII_TYPES.join(", ")}.` }))
  .max(PII_TYPES.length)
  .transform((types) => PII_TYPES.filter((t) => types.includes(t)));

/** A change to the policy (PATCH): any subset of the fields. */
export const privacyPolicyPatchSchema = z
  .object({
    pii: z.enum(PII_POLICIES, { error: () => `pii must be one of: ${PII_POLICIES.join(", ")}.` }).optional(),
    piiTypes: piiTypesSchema.optional(),
    injection: z
      .enum(INJECTION_POLICIES, { error: () => `injection must be one of: ${INJECTION_POLICIES.join(", ")}.` })
      .optional(),
  })
  .strict();

export type PrivacyPolicyPatch = z.infer<typeof privacyPolicyPatchSchema>;

/** Applies a change, refusing a policy that could not act (mask or reject with no types chosen). */
export function mergePolicy(current: PrivacyPolicy, patch: PrivacyPolicyPatch): PrivacyPolicy {
  const merged: PrivacyPolicy = {
    ...current,
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
  };
  // One order and no repeats, whoever calls.
  const next = { ...merged, piiTypes: PII_TYPES.filter((t) => merged.piiTypes.includes(t)) };
  if (next.pii !== "tag" && next.piiTypes.length === 0) {
    throw new AppError(
      "invalid_request",
      `Choose at least one kind of personal data for "${next.pii}" to act on (piiTypes).`,
    );
  }
  return next;
}
