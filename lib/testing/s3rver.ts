import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import S3rver from "s3rver";

// A real S3 protocol server (s3rver) on loopback for tests: signed requests, buckets, objects and
// listings as AWS speaks them. What it does not do: conditional writes (it ignores If-None-Match
// and If-Match on PUT), versioning, object locks. See docs/adr/0020.

export const S3RVER_KEY = { id: "S3RVER", secret: "S3RVER" } as const;

export interface TestBucket {
  endpoint: string;
  bucket: string;
  /** The object store settings as lib/env.ts names them. */
  settings: {
    S3_ENDPOINT: string;
    AWS_REGION: string;
    AWS_ACCESS_KEY_ID: string;
    AWS_SECRET_ACCESS_KEY: string;
    S3_FORCE_PATH_STYLE: true;
  };
  /** The same, as environment variables for a child process. */
  envVars: Record<string, string>;
  /** Every object key in the bucket under `prefix`. */
  keys(prefix?: string): Promise<string[]>;
  /** An object's stored bytes exactly as the server holds them. */
  raw(key: string): Promise<Buffer>;
  putRaw(key: string, bytes: Buffer): Promise<void>;
  deleteObject(key: string): Promise<void>;
  close(): Promise<void>;
}

export async function startS3rver(bucket = "kq-test"): Promise<TestBucket> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY.id, secretAccessKey: S3RVER_KEY.secret },
  });
  const settings = {
    S3_ENDPOINT: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: S3RVER_KEY.id,
    AWS_SECRET_ACCESS_KEY: S3RVER_KEY.secret,
    S3_FORCE_PATH_STYLE: true as const,
  };
  return {
    endpoint,
    bucket,
    settings,
    envVars: { ...settings, S3_FORCE_PATH_STYLE: "true" },
    async keys(prefix = "") {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) keys.push(o.Key!);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async raw(key) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    },
    async putRaw(key, bytes) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
    },
    async deleteObject(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async close() {
      client.destroy();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
