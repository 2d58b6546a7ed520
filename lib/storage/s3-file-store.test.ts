import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isEncryptedContent } from "@/lib/crypto/envelope";
import { newHexKey } from "@/lib/crypto/keyring";
import { resetEnvCache } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { startS3rver, type TestBucket } from "@/lib/testing/s3rver";
import { fileStoreFor } from "./file-store";
import { deleteOriginal, readOriginal, saveOriginal } from "./files";
import { parseS3Uri } from "./s3-file-store";

// Originals on a real S3 protocol server (s3rver on loopback): the same envelope as on disk,
// nothing under DATA_DIR/files, and deletion removes the object.

let s3: TestBucket;
let dataDir: string;
const content = Buffer.from("%PDF-1.4 Patient Jane Roe, ward 7, discharge summary MARKER-77aa");
const SET = ["FILES_URI", "ENCRYPTION_KEY_FILE", "S3_ENDPOINT", "AWS_REGION", "AWS_ACCESS_KEY_ID"] as const;

beforeAll(async () => {
  s3 = await startS3rver();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-s3files-"));
  const keyFile = path.join(os.tmpdir(), `kq-s3files-key-${randomUUID()}`);
  fs.writeFileSync(keyFile, newHexKey(), { mode: 0o600 });
  Object.assign(process.env, s3.envVars, {
    FILES_URI: `s3://${s3.bucket}/site-a/originals`,
    ENCRYPTION_KEY_FILE: keyFile,
  });
  resetEnvCache();
});
afterAll(async () => {
  for (const k of [...SET, "AWS_SECRET_ACCESS_KEY", "S3_FORCE_PATH_STYLE"]) delete process.env[k];
  resetEnvCache();
  await s3.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
afterEach(() => resetEnvCache());

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("originals on S3-compatible storage", () => {
  it("parses s3://bucket/prefix", () => {
    expect(parseS3Uri("s3://kq1/a/b/")).toEqual({ bucket: "kq1", prefix: "a/b/" });
    expect(parseS3Uri("s3://kq1")).toEqual({ bucket: "kq1", prefix: "" });
    expect(() => parseS3Uri("s3://Bad_Bucket/x")).toThrow(/not an s3:\/\/bucket\/prefix URI/);
  });

  it("stores the encrypted envelope under the prefix, reads it back whole, and writes nothing under DATA_DIR", async () => {
    const id = randomUUID();
    const saved = await saveOriginal(dataDir, id, content);
    const key = `site-a/originals/${id.slice(0, 2)}/${id}.enc`;
    expect(await s3.keys()).toContain(key);
    const stored = await s3.raw(key);
    expect(isEncryptedContent(stored)).toBe(true);
    expect(stored.includes(Buffer.from("Jane Roe"))).toBe(false);
    expect(stored.includes(Buffer.from("MARKER-77aa"))).toBe(false);
    expect(await readOriginal(dataDir, { id, ...saved })).toEqual(content);
    expect(fs.existsSync(path.join(dataDir, "files"))).toBe(false);
    expect(fileStoreFor(dataDir).location).toBe(`s3://${s3.bucket}/site-a/originals/`);
  });

  it("deleting removes the object, and deleting again is not an error", async () => {
    const id = randomUUID();
    const saved = await saveOriginal(dataDir, id, content);
    const key = `site-a/originals/${saved.storagePath}`;
    expect(await s3.keys()).toContain(key);
    await deleteOriginal(dataDir, saved.storagePath);
    expect(await s3.keys()).not.toContain(key);
    await deleteOriginal(dataDir, saved.storagePath);
    const err = await failure(readOriginal(dataDir, { id, ...saved }));
    expect(err.status).toBe(503);
    expect(err.message).toContain(`missing from the files store (s3://${s3.bucket}/site-a/originals/)`);
  });

  it("detects an object tampered with in the bucket", async () => {
    const id = randomUUID();
    const saved = await saveOriginal(dataDir, id, content);
    const key = `site-a/originals/${saved.storagePath}`;
    const bytes = await s3.raw(key);
    bytes[bytes.length - 20]! ^= 0x01;
    await s3.putRaw(key, bytes);
    expect((await failure(readOriginal(dataDir, { id, ...saved }))).message).toMatch(/failed its integrity check/);
  });

  it("refuses a storage path that would leave the prefix", async () => {
    const id = randomUUID();
    await expect(readOriginal(dataDir, { id, storagePath: "../other-site/x.enc", dataKey: null })).rejects.toThrow(
      /escapes the files store/,
    );
    await expect(deleteOriginal(dataDir, "/site-b/x.enc")).rejects.toThrow(/escapes the files store/);
  });

  it("counts the stored objects and bytes for the admin overview", async () => {
    const usage = await fileStoreFor(dataDir).usage();
    const keys = await s3.keys("site-a/originals/");
    expect(usage.files).toBe(keys.length);
    expect(usage.files).toBeGreaterThan(0);
    expect(usage.bytes).toBeGreaterThan(usage.files * content.length);
  });

  it("names an unreachable store instead of pretending the file is missing", async () => {
    process.env.S3_ENDPOINT = "http://127.0.0.1:9";
    resetEnvCache();
    try {
      await expect(saveOriginal(dataDir, randomUUID(), content)).rejects.toThrow(/ECONNREFUSED|connect/);
    } finally {
      process.env.S3_ENDPOINT = s3.endpoint;
      resetEnvCache();
    }
  });
});
