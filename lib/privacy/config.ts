import "server-only";
import type { CountryCode } from "libphonenumber-js/max";
import { env } from "@/lib/env";
import type { DetectPiiOptions } from "./pii";

/** Detection options from the configuration: site MRN patterns and the default phone region. */
export function detectOptionsFromEnv(): DetectPiiOptions {
  const e = env();
  return { mrnPatterns: e.PII_MRN_PATTERNS ?? [], phoneRegion: e.PII_PHONE_REGION as CountryCode };
}
