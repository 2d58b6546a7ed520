import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { kekId, newHexKey } from "@/lib/crypto/keyring";
import { resetEnvCache } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { readOriginal, saveOriginal } from "./files";

let dataDir: string;
const content = Buffer.from("%PDF-1.4 Patient Jane Roe, ward 7, discharge summary MARKER-4f1c");

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-files-"));
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.ENCRYPTION_KEY_FILE;
  resetEnvCache();
});

function keyFile(name: string): string {
  const file = path.join(dataDir, name);
  fs.writeFileSync(file, newHexKey(), { mode: 0o600 });
  return file;
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("stored originals", () => {
  it("are encrypted on disk under a key created 0600 at first use, and read back whole", async () => {
    const id = randomUUID();
    const saved = await saveOriginal(dataDir, id, content);
    const onDisk = fs.readFileSync(path.join(dataDir, "files", saved.storagePath));
    expect(onDisk.includes(Buffer.from("Jane Roe"))).toBe(false);
    expect(onDisk.includes(Buffer.from("MARKER-4f1c"))).toBe(false);
    const keyPath = path.join(dataDir, "secrets", "encryption-key");
    expect(fs.statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(saved.keyId).toBe(kekId(Buffer.from(fs.readFileSync(keyPath, "utf8").trim(), "hex")));
    expect(await readOriginal(dataDir, { id, ...saved })).toEqual(content);
  });

  it("refuses to open a file under another key, naming both keys, and never returns the ciphertext", async () => {
    process.env.ENCRYPTION_KEY_FILE = keyFile("kek-a");
    resetEnvCache();
    const id = randomUUID();
    const saved = await saveOriginal(dataDir, id, content);
    process.env.ENCRYPTION_KEY_FILE = keyFile("kek-b");
    resetEnvCache();
    const err = await failure(readOriginal(dataDir, { id, ...saved }));
    expect(err.status).toBe(503);
    expect(err.toJSON().error.message).toContain(`encrypted under key ${saved.keyId}`);
    expect(err.toJSON().error.message).toContain("keys status");
  });

  it("says ENCRYPTION_KEY_FILE is missing or malformed instead of failing with a stack", async () => {
    process.env.ENCRYPTION_KEY_FILE = path.join(dataDir, "no-such-key");
    resetEnvCache();
    await expect(saveOriginal(dataDir, randomUUID(), content)).rejects.toThrow(
      /ENCRYPTION_KEY_FILE points at .*no-such-key, which does not exist/,
    );
    const short = path.join(dataDir, "short-key");
    fs.writeFileSync(short, "abcd\n");
    process.env.ENCRYPTION_KEY_FILE = short;
    resetEnvCache();
    await expect(saveOriginal(dataDir, randomUUID(), content)).rejects.toThrow(
      /must hold 32 random bytes as 64 hexadecimal characters .*openssl rand -hex 32.*; it holds 4 characters/,
    );
  });

  it("detects a tampered file and a file moved onto another version", async () => {
    const id = randomUUID();
    const saved = await saveOriginal(dataDir, id, content);
    const full = path.join(dataDir, "files", saved.storagePath);
    const bytes = fs.readFileSync(full);
    bytes[bytes.length - 20]! ^= 0x01;
    fs.writeFileSync(full, bytes);
    expect((await failure(readOriginal(dataDir, { id, ...saved }))).message).toMatch(/failed its integrity check/);

    const other = randomUUID();
    const second = await saveOriginal(dataDir, other, content);
    // The row of `id` pointed at the file of `other`, with that file's own key: bound to `other`.
    const err = await failure(readOriginal(dataDir, { id, storagePath: second.storagePath, dataKey: second.dataKey }));
    expect(err.message).toMatch(/failed its integrity check/);
  });

  it("reads a plain file from an older release, but never an encrypted one without its data key", async () => {
    const id = randomUUID();
    const legacy = path.join(id.slice(0, 2), id);
    fs.mkdirSync(path.join(dataDir, "files", id.slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(dataDir, "files", legacy), content);
    expect(await readOriginal(dataDir, { id, storagePath: legacy, dataKey: null })).toEqual(content);

    const enc = randomUUID();
    const saved = await saveOriginal(dataDir, enc, content);
    const err = await failure(readOriginal(dataDir, { id: enc, storagePath: saved.storagePath, dataKey: null }));
    expect(err.message).toMatch(/encrypted but its data key is not recorded/);
  });
});
