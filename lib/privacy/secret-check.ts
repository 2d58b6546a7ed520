// The chat's warning before a question is sent: the same credential rules the server masks with
// (pii/secrets.ts), run in the browser so a pasted password or key can be caught before it
// leaves the asker's machine. Imports nothing server-side and no large metadata: it ships in
// the chat page's bundle.

import { DEFAULT_MIN_CONFIDENCE, resolveOverlaps } from "./pii-overlaps";
import { detectPasswords, detectSecrets } from "./pii/secrets";

export type ObviousSecretKind = "password" | "private_key" | "api_key";

export const OBVIOUS_SECRET_LABELS: Record<ObviousSecretKind, string> = {
  password: "a password",
  private_key: "a private key",
  api_key: "an API key or access token",
};

export interface ObviousSecret {
  kind: ObviousSecretKind;
  start: number;
  end: number;
}

/** Passwords, private keys, API keys and tokens in `text`, strongest first where they overlap. */
export function findObviousSecrets(text: string): ObviousSecret[] {
  const findings = resolveOverlaps(
    [...detectSecrets(text), ...detectPasswords(text)].filter((f) => f.confidence >= DEFAULT_MIN_CONFIDENCE),
  );
  return findings.map((f) => ({
    kind: f.type === "password" ? "password" : /PRIVATE KEY/.test(f.text) ? "private_key" : "api_key",
    start: f.start,
    end: f.end,
  }));
}

/** "a password and an API key or access token": what the warning names, never the values. */
export function describeSecrets(found: readonly ObviousSecret[]): string {
  const kinds = [...new Set(found.map((f) => f.kind))].map((k) => OBVIOUS_SECRET_LABELS[k]);
  return kinds.length <= 1 ? (kinds[0] ?? "") : `${kinds.slice(0, -1).join(", ")} and ${kinds.at(-1)}`;
}
