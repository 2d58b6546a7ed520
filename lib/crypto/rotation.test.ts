import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { getDocumentById, getVersionById, insertVersion } from "@/db/queries/documents";
import { documentVersions } from "@/db/schema";
import { addCollection } from "@/lib/collections/admin";
import { acceptUpload } from "@/lib/documents/upload";
import { CLI_ACTOR } from "@/lib/audit/types";
import { createTestDatabase } from "@/lib/testing/db";
import { readOriginal } from "@/lib/storage/files";
import { kekId, newHexKey, reloadKeyring } from "./keyring";
import { wrapDataKey, unwrapDataKey } from "./envelope";
import { keyStatus, rotateKeys } from "./rotation";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

let h: DatabaseHandle;
let dataDir: string;
let collectionId: string;

beforeAll(async () => {
  h = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-rotate-"));
  collectionId = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Policies", description: "" })).id;
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function upload(name: string, text: string) {
  const r = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 1 << 20 },
    { collectionId, fileName: name, bytes: Buffer.from(text) },
  );
  if (r.status !== "queued") throw new Error(JSON.stringify(r));
  return r.versionId;
}

async function content(versionId: string): Promise<string> {
  const v = await getVersionById(h.db, { id: versionId });
  return (await readOriginal(dataDir, { id: v!.id, storagePath: v!.storagePath!, dataKey: v!.dataKey })).toString();
}

const keyText = (file: string) => Buffer.from(fs.readFileSync(file, "utf8").trim(), "hex");
const fileOf = async (versionId: string) =>
  path.join(dataDir, "files", (await getVersionById(h.db, { id: versionId }))!.storagePath!);

describe("keys rotate with the generated key", () => {
  it("re-wraps every data key without touching the content, encrypts plain originals, and retires the old key", async () => {
    const a = await upload("a.md", "alpha protocol");
    const b = await upload("b.md", "beta protocol");
    // A version stored in plain by a release from before encryption.
    const legacyVersion = crypto.randomUUID();
    const docId = (await getVersionById(h.db, { id: a }))!.documentId;
    const legacyPath = path.join(legacyVersion.slice(0, 2), legacyVersion);
    fs.mkdirSync(path.join(dataDir, "files", legacyVersion.slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(dataDir, "files", legacyPath), "gamma protocol, stored in plain");
    await insertVersion(h.db, {
      id: legacyVersion,
      documentId: docId,
      versionNumber: 9,
      sha256: "0".repeat(64),
      sizeBytes: 10,
      originalName: "a.md",
      uploadedBy: null,
      storagePath: legacyPath,
      dataKey: null,
    });

    const keyFile = path.join(dataDir, "secrets", "encryption-key");
    const oldKey = keyText(keyFile);
    const before = await keyStatus(h.db, { dataDir });
    expect(before.originals).toEqual([{ keyId: kekId(oldKey), count: 2, readable: true }]);
    expect(before.plainOriginals).toBe(1);
    const cipherA = fs.readFileSync(await fileOf(a));

    const r = await rotateKeys({ actor: CLI_ACTOR, db: h.db }, { dataDir });
    expect(r).toMatchObject({ from: kekId(oldKey), rewrapped: 2, encryptedPlain: 1, missingPlain: 0, next: null });
    const newKey = keyText(keyFile);
    expect(r.to).toBe(kekId(newKey));
    expect(r.to).not.toBe(r.from);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(dataDir, "secrets", "encryption-key.next"))).toBe(false);

    // Content bytes untouched; everything still opens; the plain file is gone from disk.
    expect(fs.readFileSync(await fileOf(a)).equals(cipherA)).toBe(true);
    expect(await content(a)).toBe("alpha protocol");
    expect(await content(b)).toBe("beta protocol");
    expect(await content(legacyVersion)).toBe("gamma protocol, stored in plain");
    expect(fs.existsSync(path.join(dataDir, "files", legacyPath))).toBe(false);
    expect(fs.readFileSync(await fileOf(legacyVersion)).includes(Buffer.from("gamma"))).toBe(false);

    // The old key no longer opens any data key.
    const row = await getVersionById(h.db, { id: a });
    expect(() => unwrapDataKey({ id: kekId(oldKey), key: oldKey }, a, row!.dataKey!)).toThrow(/wrapped by key/);
    const after = await keyStatus(h.db, { dataDir });
    expect(after.originals).toEqual([{ keyId: r.to, count: 3, readable: true }]);
    expect(after.plainOriginals).toBe(0);
    expect(await getDocumentById(h.db, { id: docId })).not.toBeNull();
  });

  it("finishes a rotation that was cut off half-way, reading both keys meanwhile", async () => {
    const c = await upload("c.md", "charlie protocol");
    const d = await upload("d.md", "delta protocol");
    const pendingFile = path.join(dataDir, "secrets", "encryption-key.next");
    fs.writeFileSync(pendingFile, newHexKey(), { mode: 0o600 });
    const pending = keyText(pendingFile);
    const pendingKek = { id: kekId(pending), key: pending, source: pendingFile };
    // The interrupted run re-wrapped c but not d.
    const current = reloadKeyring(dataDir).current;
    const rowC = (await getVersionById(h.db, { id: c }))!;
    const dataKey = unwrapDataKey(current, c, rowC.dataKey!);
    await h.db
      .update(documentVersions)
      .set({ dataKey: wrapDataKey(pendingKek, c, dataKey) })
      .where(eq(documentVersions.id, c));
    reloadKeyring(dataDir);
    expect(await content(c)).toBe("charlie protocol");
    expect(await content(d)).toBe("delta protocol");
    expect((await keyStatus(h.db, { dataDir })).pendingRotation).toBe(pendingKek.id);

    const r = await rotateKeys({ actor: CLI_ACTOR, db: h.db }, { dataDir });
    expect(r.to).toBe(pendingKek.id);
    expect(r.rewrapped).toBe(4);
    expect(await content(c)).toBe("charlie protocol");
    expect(await content(d)).toBe("delta protocol");
    expect((await keyStatus(h.db, { dataDir })).pendingRotation).toBeNull();
  });
});

describe("keys rotate with ENCRYPTION_KEY_FILE", () => {
  it("needs the new key file, refuses the key in use, and re-wraps under the operator's new key", async () => {
    const first = path.join(dataDir, "kek-1");
    fs.writeFileSync(first, newHexKey());
    const opts = { dataDir, keyFile: first };
    // Data keys under the generated key cannot be re-wrapped by a node that has only kek-1.
    await expect(rotateKeys({ actor: CLI_ACTOR, db: h.db }, { ...opts, newKeyFile: first })).rejects.toThrow(
      /already in use/,
    );
    await expect(rotateKeys({ actor: CLI_ACTOR, db: h.db }, opts)).rejects.toThrow(/--new-key-file FILE/);
    const second = path.join(dataDir, "kek-2");
    fs.writeFileSync(second, newHexKey());
    await expect(rotateKeys({ actor: CLI_ACTOR, db: h.db }, { ...opts, newKeyFile: second })).rejects.toThrow(
      /encrypted under key [0-9a-f]{16}, and the configured key-encryption key is/,
    );
    // Every row still opens with the generated key: the refused rotation changed nothing.
    const status = await keyStatus(h.db, { dataDir });
    expect(status.originals).toHaveLength(1);
    expect(status.originals[0]!.count).toBe(5);
  });
});
