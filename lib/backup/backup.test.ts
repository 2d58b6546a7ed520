import { generateKeyPairSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { CLI_ACTOR } from "@/lib/audit/types";
import { addCollection } from "@/lib/collections/admin";
import { acceptUpload } from "@/lib/documents/upload";
import { createTestDatabase } from "@/lib/testing/db";
import { chunkRow, docFixture, seededUnitVector } from "@/lib/vector/chunk-fixtures";
import { openChunkStore } from "@/lib/vector/store";
import { writeBackup, type BackupSources } from "./create";
import { EntryWriter, readAll, readEntries } from "./entries";
import { checkArchive, type Manifest } from "./manifest";
import { ArchiveSealer, CHUNK_BYTES, openArchive } from "./stream-cipher";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// The archive format against a real database (PGlite, or Postgres with TEST_DATABASE_URL), a real
// LanceDB table and real encrypted originals: what create writes, verify accepts, and every way
// of damaging it is refused with a message that says what is wrong.

let h: DatabaseHandle;
let dataDir: string;
let sources: BackupSources;
const key = randomBytes(32);
let archive: Buffer;

async function* once(bytes: Buffer): AsyncGenerator<Uint8Array> {
  // In uneven pieces, as a file or a socket delivers them.
  for (let at = 0; at < bytes.length; at += 100_000) yield bytes.subarray(at, at + 100_000);
}

async function backupToBuffer(): Promise<Buffer> {
  const parts: Buffer[] = [];
  await writeBackup(sources, key, CLI_ACTOR, async (b) => {
    parts.push(Buffer.from(b));
  });
  return Buffer.concat(parts);
}

async function entriesOf(bytes: Buffer, k = key): Promise<{ name: string; bytes: Buffer }[]> {
  const out: { name: string; bytes: Buffer }[] = [];
  for await (const e of readEntries(openArchive(once(bytes), k)))
    out.push({ name: e.name, bytes: await readAll(e.body) });
  return out;
}

/** What someone holding the backup key could write: an archive re-sealed from edited entries. */
async function reseal(entries: { name: string; bytes: Buffer }[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  const sealer = new ArchiveSealer(key, async (b) => {
    parts.push(Buffer.from(b));
  });
  const writer = new EntryWriter((b) => sealer.write(b));
  for (const e of entries) await writer.entry(e.name, e.bytes);
  await sealer.finish();
  return Buffer.concat(parts);
}

beforeAll(async () => {
  h = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-backup-"));
  const collectionId = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Policies", description: "" }))
    .id;
  for (const [name, text] of [
    ["a.md", "alpha protocol"],
    ["b.md", "beta protocol ".repeat(200_000)],
  ] as const) {
    const r = await acceptUpload(
      { actor: SYSTEM_ACTOR, db: h.db },
      { dataDir, maxUploadBytes: 10 << 20 },
      { collectionId, fileName: name, bytes: Buffer.from(text) },
    );
    expect(r.status).toBe("queued");
  }
  const store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: "fixture", dim: 8 });
  const doc = docFixture(collectionId);
  await store.replaceVersionChunks(
    doc.versionId,
    Array.from({ length: 30 }, (_, i) => chunkRow(doc, i, `passage ${i} about retention`, seededUnitVector(8, i))),
  );
  await store.close();
  sources = {
    db: h.db,
    kind: h.kind,
    dataDir,
    lanceUri: path.join(dataDir, "lance"),
    encryptionKeyFile: undefined,
    signingKey: loadSigningKey({ AUDIT_SIGNING_KEY: undefined, dataDir }),
  };
  archive = await backupToBuffer();
});

afterAll(async () => {
  await h.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("backup create and verify", () => {
  it("writes one archive of rows, chunks, originals and keys that verifies offline", async () => {
    expect(archive.length).toBeGreaterThan(CHUNK_BYTES); // several chunks: the 2.8 MB original
    const check = await checkArchive(once(archive), key);
    const m = check.manifest;
    expect(m.source).toBe(h.kind);
    expect(m.migration).toMatch(/^\d{4}_/);
    expect(m.tables.find((t) => t.name === "document_versions")?.rows).toBe(2);
    expect(m.tables.find((t) => t.name === "audit_events")?.rows).toBeGreaterThanOrEqual(3);
    expect(m.lance).toEqual({ version: expect.any(Number), rows: 30 });
    expect(m.files).toEqual({ count: 2, missing: [] });
    expect(m.keys.keyEncryptionKeys).toHaveLength(1);
    expect(m.entries.map((e) => e.name)).toEqual(
      expect.arrayContaining(["meta.json", "db/users.jsonl", "lance/chunks.jsonl", "secrets/encryption-key"]),
    );
    expect(check.signer).toMatchObject({ fingerprint: sources.signingKey.fingerprint, trusted: false });
    expect((await checkArchive(once(archive), key, { trustedKey: sources.signingKey.publicKey })).signer.trusted).toBe(
      true,
    );
  });

  it("keeps originals as stored: the archive's plain layer holds their ciphertext, not their text", async () => {
    const entries = await entriesOf(archive);
    const files = entries.filter((e) => e.name.startsWith("files/"));
    expect(files).toHaveLength(2);
    for (const f of files) {
      expect(f.bytes.subarray(0, 8).toString()).toBe("KQAENC01");
      expect(f.bytes.toString("latin1")).not.toContain("protocol");
    }
    // And nothing of the content is readable in the archive file itself.
    expect(archive.toString("latin1")).not.toMatch(/protocol|retention|alpha/);
  });

  it("records who made a backup in the audit trail", async () => {
    const entries = await entriesOf(archive);
    const id = JSON.parse(entries.find((e) => e.name === "meta.json")!.bytes.toString()).archiveId as string;
    const { queryRows } = await import("@/db/client");
    const { sql } = await import("drizzle-orm");
    const rows = await queryRows<{ payload: { archiveId: string; files: number } }>(
      h.db,
      sql`select payload from audit_events where type = 'backup.created' order by seq`,
    );
    expect(rows.map((r) => r.payload.archiveId)).toContain(id);
    // The admin overview's "Backups" row names it.
    const { getLastBackup } = await import("@/db/queries/overview");
    expect((await getLastBackup(h.db))?.archiveId).toBe(id);
    const { storeProtection } = await import("@/lib/admin/at-rest");
    const rows2 = await storeProtection({
      database: { kind: h.kind, location: "test" },
      vectors: { location: "test", objectStore: true },
      originals: { location: "test", objectStore: true },
      keys: null,
      lastBackup: await getLastBackup(h.db),
    });
    expect(rows2.find((r) => r.store === "backups")!.location).toMatch(
      new RegExp(`; the last on \\S+ \\(archive ${id}\\)$`),
    );
  });

  it("refuses a wrong key before reading anything", async () => {
    await expect(checkArchive(once(archive), randomBytes(32))).rejects.toThrow(
      /The backup key does not open this archive: it was made with a different key/,
    );
  });

  it("refuses a truncated archive, saying so, wherever it was cut", async () => {
    const chunk = CHUNK_BYTES + 16;
    const headerEnd = archive.indexOf(Buffer.from("}")) + 1;
    for (const [cut, message] of [
      [4, /not a backup archive|truncated inside its header/],
      [headerEnd - 10, /truncated inside its header/],
      [headerEnd, /truncated: it ends at byte \d+ without its final chunk/],
      [headerEnd + chunk, /truncated: it ends at byte \d+ after chunk 0, before its final chunk/],
      [headerEnd + chunk + 5000, /last chunk 1 .* truncated or was altered/],
      [archive.length - 1, /truncated or was altered/],
    ] as const) {
      await expect(checkArchive(once(archive.subarray(0, cut)), key), `cut at ${cut}`).rejects.toThrow(message);
    }
    await expect(checkArchive(once(Buffer.alloc(0)), key)).rejects.toThrow(/The archive is empty/);
  });

  it("refuses a changed byte anywhere, naming the chunk", async () => {
    const tampered = Buffer.from(archive);
    const at = archive.length - 2 * 1024;
    tampered[at] = tampered[at]! ^ 0x01;
    await expect(checkArchive(once(tampered), key)).rejects.toThrow(
      /chunk 2 \(at byte \d+\) failed its integrity check/,
    );
    const early = Buffer.from(archive);
    early[early.length - CHUNK_BYTES - 100]! ^= 0x80;
    await expect(checkArchive(once(early), key)).rejects.toThrow(/Chunk 1 \(at byte \d+\) failed its integrity check/);
  });

  it("refuses an archive re-sealed by someone with the backup key whose entries disagree with the signed manifest", async () => {
    const entries = await entriesOf(archive);
    const manifest = JSON.parse(entries.find((e) => e.name === "manifest.json")!.bytes.toString()) as Manifest;
    // The re-sealed archive gets a new id; a manifest naming another archive is refused first.
    await expect(checkArchive(once(await reseal(entries)), key)).rejects.toThrow(/belongs to another archive/);

    const changedRow = entries.map((e) =>
      e.name === "db/collections.jsonl"
        ? { ...e, bytes: Buffer.from(e.bytes.toString().replace('"name":"Policies"', '"name":"Mallory"')) }
        : e,
    );
    const forged = await resealAs(changedRow, manifest, false);
    await expect(checkArchive(once(forged), key)).rejects.toThrow(
      /The entry db\/collections\.jsonl differs from the manifest/,
    );

    const dropped = entries.filter((e) => !e.name.startsWith("files/"));
    await expect(checkArchive(once(await resealAs(dropped, manifest, false)), key)).rejects.toThrow(
      /lacks entries its manifest lists: files\//,
    );

    // Editing the manifest to match breaks its signature; re-signing with a key of one's own is
    // caught by --public-key.
    await expect(checkArchive(once(await resealAs(changedRow, manifest, "edit")), key)).rejects.toThrow(
      /signature does not match: the manifest was altered/,
    );
    const mallory = generateKeyPairSync("ed25519");
    const resigned = await resealAs(changedRow, manifest, mallory.privateKey);
    const lax = await checkArchive(once(resigned), key);
    expect(lax.signer.trusted).toBe(false);
    await expect(checkArchive(once(resigned), key, { trustedKey: sources.signingKey.publicKey })).rejects.toThrow(
      /signed by key sha256:[0-9a-f]{64}, not by the trusted key/,
    );
  });
});

/**
 * Re-seals `entries` under the backup key with the manifest rewritten for the new archive id:
 * signed as before (false), with digests updated but the old signature ("edit"), or re-signed.
 */
async function resealAs(
  entries: { name: string; bytes: Buffer }[],
  original: Manifest,
  mode: false | "edit" | import("node:crypto").KeyObject,
): Promise<Buffer> {
  const { createHash, createPublicKey, sign } = await import("node:crypto");
  const { keyFingerprint, publicKeyPem } = await import("@/lib/audit/keys");
  const parts: Buffer[] = [];
  const sealer = new ArchiveSealer(key, async (b) => {
    parts.push(Buffer.from(b));
  });
  const writer = new EntryWriter((b) => sealer.write(b));
  const body = entries.filter((e) => e.name !== "manifest.json" && e.name !== "manifest.sig");
  const manifest: Manifest = { ...original, archiveId: sealer.header.archiveId };
  if (mode)
    manifest.entries = body.map((e) => ({
      name: e.name,
      bytes: e.bytes.length,
      sha256: createHash("sha256").update(e.bytes).digest("hex"),
    }));
  if (mode && mode !== "edit") {
    const pub = createPublicKey(mode);
    manifest.signer = { algorithm: "Ed25519", publicKeyPem: publicKeyPem(pub), fingerprint: keyFingerprint(pub) };
  }
  const bytes = Buffer.from(JSON.stringify(manifest), "utf8");
  for (const e of body) await writer.entry(e.name, e.bytes);
  await writer.entry("manifest.json", bytes);
  // "edit" keeps the real signature, made over the manifest as it was.
  const signature =
    mode === "edit"
      ? entries.find((e) => e.name === "manifest.sig")!.bytes
      : Buffer.from(sign(null, bytes, mode || sources.signingKey.privateKey).toString("base64"));
  await writer.entry("manifest.sig", signature);
  await sealer.finish();
  return Buffer.concat(parts);
}
