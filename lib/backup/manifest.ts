import "server-only";
import { sign, verify, type KeyObject, createPublicKey } from "node:crypto";
import { keyFingerprint } from "@/lib/audit/keys";
import { readEntries, readAll, type EntryDigest } from "./entries";
import { BackupError } from "./errors";
import type { MigrationLevel } from "./database";
import { openArchive, type ArchiveHeader } from "./stream-cipher";

// What an archive holds, signed by the installation's Ed25519 audit key, and the offline check
// that every entry is present, in order, and unchanged. The signature says which installation made
// the archive; the encryption already proves to whoever holds the backup key that it is intact.

export const META_ENTRY = "meta.json";
export const MANIFEST_ENTRY = "manifest.json";
export const SIGNATURE_ENTRY = "manifest.sig";

/** Written first: what a restore needs before the rows arrive. */
export interface ArchiveMeta {
  archiveId: string;
  release: string;
  source: "pglite" | "postgres";
  migrations: MigrationLevel[];
  tables: { name: string; columns: string[] }[];
  lance: { version: number } | null;
}

export interface Manifest {
  format: 1;
  archiveId: string;
  createdAt: string;
  release: string;
  source: "pglite" | "postgres";
  migration: string | null;
  tables: { name: string; rows: number }[];
  lance: { version: number; rows: number } | null;
  files: { count: number; missing: string[] };
  keys: { keyEncryptionKeys: string[]; signingKey: string };
  entries: EntryDigest[];
  signer: { algorithm: "Ed25519"; publicKeyPem: string; fingerprint: string };
}

export function signManifest(bytes: Buffer, privateKey: KeyObject): Buffer {
  return Buffer.from(sign(null, bytes, privateKey).toString("base64"), "utf8");
}

export interface ArchiveCheck {
  header: ArchiveHeader;
  manifest: Manifest;
  /** How far the signer was checked. */
  signer: { fingerprint: string; trusted: boolean; reason: string };
}

/**
 * Reads a whole archive and checks it: the key, every chunk, the entry list against the manifest
 * (missing, extra, reordered or changed entries are named), and the manifest's signature.
 */
export async function checkArchive(
  source: AsyncIterable<Uint8Array>,
  backupKey: Buffer,
  opts: { trustedKey?: KeyObject } = {},
): Promise<ArchiveCheck> {
  let header: ArchiveHeader | undefined;
  const seen: EntryDigest[] = [];
  let manifestBytes: Buffer | undefined;
  let signature: Buffer | undefined;
  for await (const entry of readEntries(openArchive(source, backupKey, (h) => (header = h)))) {
    if (signature) throw new BackupError(`The archive has an entry (${entry.name}) after its signature.`);
    if (entry.name === MANIFEST_ENTRY) {
      if (manifestBytes) throw new BackupError("The archive has two manifests.");
      manifestBytes = await readAll(entry.body);
      continue;
    }
    if (entry.name === SIGNATURE_ENTRY) {
      if (!manifestBytes) throw new BackupError("The archive's signature comes before its manifest.");
      signature = await readAll(entry.body, 4096);
      continue;
    }
    if (manifestBytes) throw new BackupError(`The archive has an entry (${entry.name}) after its manifest.`);
    for await (const piece of entry.body) void piece;
    seen.push(entry.digest());
  }
  if (!header) throw new BackupError("The archive is empty.");
  if (!manifestBytes)
    throw new BackupError(
      `The archive has no manifest: it is incomplete (it ends after ${seen.length} entr${seen.length === 1 ? "y" : "ies"}${seen.length ? `, the last ${seen.at(-1)!.name}` : ""}).`,
    );
  if (!signature) throw new BackupError("The archive's manifest is not signed: the signature entry is missing.");
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestBytes.toString("utf8")) as Manifest;
  } catch (err) {
    throw new BackupError("The archive's manifest is not valid JSON.", { cause: err });
  }
  if (manifest.format !== 1) throw new BackupError(`The manifest has format ${String(manifest.format)}, not 1.`);
  if (manifest.archiveId !== header.archiveId)
    throw new BackupError("The manifest belongs to another archive (its archive id differs from the header's).");

  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(manifest.signer.publicKeyPem);
  } catch (err) {
    throw new BackupError("The manifest's signer key cannot be read.", { cause: err });
  }
  if (!verify(null, manifestBytes, publicKey, Buffer.from(signature.toString("utf8"), "base64")))
    throw new BackupError("The manifest's signature does not match: the manifest was altered.");
  const fingerprint = keyFingerprint(publicKey);
  let trust: ArchiveCheck["signer"];
  if (opts.trustedKey) {
    const wanted = keyFingerprint(opts.trustedKey);
    if (wanted !== fingerprint)
      throw new BackupError(`The archive was signed by key ${fingerprint}, not by the trusted key ${wanted}.`);
    trust = { fingerprint, trusted: true, reason: "the public key given with --public-key" };
  } else {
    trust = {
      fingerprint,
      trusted: false,
      reason: "the key the archive names; pass --public-key to check that this installation made it",
    };
  }

  const listed = new Map(manifest.entries.map((e) => [e.name, e]));
  for (const s of seen) {
    const m = listed.get(s.name);
    if (!m) throw new BackupError(`The archive holds an entry the manifest does not list: ${s.name}.`);
    if (m.bytes !== s.bytes || m.sha256 !== s.sha256)
      throw new BackupError(`The entry ${s.name} differs from the manifest (${s.bytes} bytes, sha256 ${s.sha256}).`);
  }
  const present = new Set(seen.map((s) => s.name));
  const missing = manifest.entries.filter((e) => !present.has(e.name)).map((e) => e.name);
  if (missing.length > 0)
    throw new BackupError(`The archive lacks entries its manifest lists: ${missing.slice(0, 5).join(", ")}.`);
  if (seen.map((s) => s.name).join("\n") !== manifest.entries.map((e) => e.name).join("\n"))
    throw new BackupError("The archive's entries are not in the order the manifest lists.");
  return { header, manifest, signer: trust };
}
