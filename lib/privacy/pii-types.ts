// The kinds of personal and secret data the detectors know, with the labels people see and the
// tokens masking writes. Kept free of server-only imports: pages show the labels too.

export const PII_TYPES = [
  "ssn",
  "credit_card",
  "iban",
  "email",
  "phone",
  "date_of_birth",
  "mrn",
  "ip_address",
  "secret",
  "password",
  "person_name",
] as const;
export type PiiType = (typeof PII_TYPES)[number];

export interface PiiFinding {
  type: PiiType;
  /** UTF-16 offsets into the scanned text, end exclusive. */
  start: number;
  end: number;
  text: string;
  /** 0..1: how sure the detector is that this is the type it says. */
  confidence: number;
}

export const PII_LABELS: Record<PiiType, { one: string; many: string }> = {
  ssn: { one: "US Social Security number", many: "US Social Security numbers" },
  credit_card: { one: "payment card number", many: "payment card numbers" },
  iban: { one: "IBAN", many: "IBANs" },
  email: { one: "email address", many: "email addresses" },
  phone: { one: "phone number", many: "phone numbers" },
  date_of_birth: { one: "date of birth", many: "dates of birth" },
  mrn: { one: "medical record number", many: "medical record numbers" },
  ip_address: { one: "IP address", many: "IP addresses" },
  secret: { one: "API key, token or private key", many: "API keys, tokens or private keys" },
  password: { one: "password", many: "passwords" },
  person_name: { one: "person's name", many: "people's names" },
};

export const MASK_TOKENS: Record<PiiType, string> = {
  ssn: "[SSN]",
  credit_card: "[CARD]",
  iban: "[IBAN]",
  email: "[EMAIL]",
  phone: "[PHONE]",
  date_of_birth: "[DOB]",
  mrn: "[MRN]",
  ip_address: "[IP]",
  secret: "[SECRET]",
  password: "[PASSWORD]",
  person_name: "[NAME]",
};

/** "2 US Social Security numbers and 1 IBAN": counts and kinds, never values. */
export function describePiiCounts(counts: Partial<Record<PiiType, number>>): string {
  const parts = PII_TYPES.filter((t) => (counts[t] ?? 0) > 0).map((t) => {
    const n = counts[t]!;
    return `${n} ${n === 1 ? PII_LABELS[t].one : PII_LABELS[t].many}`;
  });
  if (parts.length <= 1) return parts[0] ?? "";
  return `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

export function isPiiType(value: string): value is PiiType {
  return (PII_TYPES as readonly string[]).includes(value);
}
