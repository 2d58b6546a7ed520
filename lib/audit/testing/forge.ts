import { createHash, generateKeyPairSync } from "node:crypto";
import type { ExportManifest } from "../export-format";
import { keyFingerprint, publicKeyBase64, signObject } from "../keys";
import type { AuditEventView } from "../types";

// The insider's forgery from issue 13, for the tests that prove it fails: a JSONL export edited,
// its digest recomputed, and its manifest re-signed with a fresh key placed in the file.

export type Line = (AuditEventView & { kind: "event" }) | { kind: "header" } | ExportManifest;

/** Rewrites a JSONL export as a forger would: new body, digest recomputed, signed with a key of their own, put in the file. */
export function forge(text: string, edit: (lines: Line[]) => Line[]): string {
  const parsed = text
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Line);
  const manifest = parsed.pop() as ExportManifest;
  const body = edit(parsed);
  const bodyText = body.map((l) => JSON.stringify(l) + "\n").join("");
  const events = body.filter((l): l is AuditEventView & { kind: "event" } => l.kind === "event");
  const forger = generateKeyPairSync("ed25519");
  const { signature: _old, ...rest } = manifest;
  void _old;
  const unsigned: ExportManifest = {
    ...rest,
    rowCount: events.length,
    firstSeq: events[0]?.seq ?? null,
    lastSeq: events.at(-1)?.seq ?? null,
    bodySha256: createHash("sha256").update(bodyText).digest("hex"),
    publicKey: publicKeyBase64(forger.publicKey),
    keyFingerprint: keyFingerprint(forger.publicKey),
  };
  return bodyText + JSON.stringify({ ...unsigned, signature: signObject(forger.privateKey, unsigned) }) + "\n";
}
