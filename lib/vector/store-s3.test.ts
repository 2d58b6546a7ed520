import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { startS3rver, type TestBucket } from "@/lib/testing/s3rver";
import { openChunkStore } from "./store";
import { lanceStorageOptions } from "./lance-runtime";

// The chunk table in an S3 bucket (s3rver on loopback), written by several processes at once.

const ROOT = process.cwd();
const WRITER = path.join(ROOT, "lib", "testing", "lance-s3-writer.ts");
const GUARD = path.join(ROOT, "scripts", "egress-guard.cjs");

let s3: TestBucket;
beforeAll(async () => {
  s3 = await startS3rver("kq-lance");
  // This process opens the table too: without the settings LanceDB would look for AWS.
  Object.assign(process.env, s3.envVars);
  resetEnvCache();
});
afterAll(async () => {
  for (const k of Object.keys(s3.envVars)) delete process.env[k];
  resetEnvCache();
  await s3.close();
});

describe("s3rver as a stand-in for object storage", () => {
  it("ignores If-None-Match on PUT: a conditional write over an existing object succeeds (why commits need the lock)", async () => {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.settings.AWS_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.settings.AWS_ACCESS_KEY_ID, secretAccessKey: s3.settings.AWS_SECRET_ACCESS_KEY },
    });
    const put = (body: string) =>
      client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "probe/manifest", Body: body, IfNoneMatch: "*" }));
    await put("first");
    // AWS S3 and MinIO answer 412 Precondition Failed here; s3rver overwrites.
    const second = await put("second").then(
      () => "overwritten",
      (err: unknown) => (err instanceof S3ServiceException ? err.$metadata.httpStatusCode : err),
    );
    expect(second).toBe("overwritten");
    expect((await s3.raw("probe/manifest")).toString()).toBe("second");
    client.destroy();
  });
});

function runWriter(env: NodeJS.ProcessEnv, writes: number, rows: number, collectionId: string) {
  return new Promise<{ versions: string[]; ms: number }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", WRITER, String(writes), String(rows), collectionId],
      { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`writer exited ${code}: ${err.slice(-2000)}`)),
    );
  });
}

describe.runIf(process.env.TEST_DATABASE_URL)("several writers on one table in a bucket", () => {
  it("two processes committing at once under the database write lock lose no commit", async () => {
    const db = await createTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-lance-s3-"));
    const guardLog = path.join(dataDir, "..", `kq-egress-${randomUUID()}.jsonl`);
    try {
      const uri = `s3://${s3.bucket}/cluster-a/lance`;
      const env = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        NODE_ENV: "test" as const,
        DATA_DIR: dataDir,
        DATABASE_URL: db.url!,
        LANCEDB_URI: uri,
        LANCEDB_COMMIT_LOCK: "database",
        ...s3.envVars,
        // The AWS SDK and pg are Node code the guard sees; LanceDB's native client is pinned to the
        // endpoint by the storage options (lib/vector/lance-storage.test.ts shows it in a namespace).
        NODE_OPTIONS: `--require ${GUARD}`,
        EGRESS_GUARD_LOG: guardLog,
      };
      const collectionId = randomUUID();
      const [a, b] = await Promise.all([runWriter(env, 12, 2, collectionId), runWriter(env, 12, 2, collectionId)]);

      const store = await openChunkStore({ uri, embedderId: "s3-writer@1", dim: 8 });
      try {
        expect(await store.countRows()).toBe(48);
        for (const v of [...a.versions, ...b.versions]) expect(await store.countRows({ versionId: v })).toBe(2);
      } finally {
        await store.close();
      }
      // The table lives in the bucket, nothing on this machine's disk.
      expect((await s3.keys("cluster-a/lance/")).some((k) => k.includes("chunks.lance/_versions/"))).toBe(true);
      expect(fs.readdirSync(dataDir)).toEqual([]);
      const refused = fs.existsSync(guardLog)
        ? fs
            .readFileSync(guardLog, "utf8")
            .split("\n")
            .filter((l) => l.includes('"attempt"'))
        : [];
      expect(refused).toEqual([]);
    } finally {
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(guardLog, { force: true });
    }
  });
});

it("passes the bucket settings to LanceDB for an s3:// table", () => {
  expect(lanceStorageOptions(`s3://kq-lance/x`, s3.settings)).toMatchObject({
    endpoint: s3.endpoint,
    allow_http: "true",
  });
});
