import "server-only";
import os from "node:os";
import { connect, type Connection } from "@lancedb/lancedb";
import { env, type Env } from "@/lib/env";

// Every LanceDB connection in the process is made here, so the native runtime is configured
// before its first use.
//
// LanceDB 0.30 (lance 7.0) sizes its CPU pool as cores - 2, at least 1. With a single pool thread
// its full-text index writer deadlocks: the posting-list producer holds the only thread while the
// page encoder it waits for queues for that same thread (lance-format/lance#7350, lancedb#3568).
// On a 2-core machine that hung `optimize()` forever at 0% CPU once the table reached ~50k chunks.
// LANCE_CPU_THREADS is read by the native code when the pool starts, hence an environment write
// (the one place outside lib/env.ts that touches process.env, and only to raise the floor to 2).

function ensureLanceCpuThreads(): void {
  if (process.env.LANCE_CPU_THREADS) return;
  process.env.LANCE_CPU_THREADS = String(Math.max(2, os.availableParallelism() - 2));
}

const OBJECT_STORE_URI = /^s3a?:\/\//i;

export function isObjectStoreUri(uri: string): boolean {
  return OBJECT_STORE_URI.test(uri);
}

export type ObjectStoreSettings = Pick<
  Env,
  "S3_ENDPOINT" | "AWS_REGION" | "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" | "S3_FORCE_PATH_STYLE"
>;

/**
 * The object store settings as LanceDB's native client (Rust object_store) names them. Without
 * them it reads only its own AWS_* variables and, knowing no endpoint, goes to
 * s3.us-east-1.amazonaws.com: outside the perimeter and out of the Node-level egress guard's sight.
 */
export function lanceStorageOptions(uri: string, s: ObjectStoreSettings): Record<string, string> | undefined {
  if (!OBJECT_STORE_URI.test(uri)) return undefined;
  const options: Record<string, string> = {};
  if (s.S3_ENDPOINT) {
    options.endpoint = s.S3_ENDPOINT;
    // On-premises stores often speak plain HTTP inside the perimeter; object_store refuses it unless told.
    if (s.S3_ENDPOINT.startsWith("http://")) options.allow_http = "true";
  }
  if (s.AWS_REGION) options.region = s.AWS_REGION;
  if (s.AWS_ACCESS_KEY_ID && s.AWS_SECRET_ACCESS_KEY) {
    options.aws_access_key_id = s.AWS_ACCESS_KEY_ID;
    options.aws_secret_access_key = s.AWS_SECRET_ACCESS_KEY;
  }
  if (s.S3_FORCE_PATH_STYLE) options.virtual_hosted_style_request = "false";
  return options;
}

/** Settings default to the configuration; they matter only for an object-store URI. */
export async function connectLance(uri: string, settings?: ObjectStoreSettings): Promise<Connection> {
  ensureLanceCpuThreads();
  // 0: every read checks for commits by other processes, so a restriction or deletion made by the
  // CLI or a worker applies to the server's very next search. Locally that check costs microseconds.
  const storageOptions = OBJECT_STORE_URI.test(uri) ? lanceStorageOptions(uri, settings ?? env()) : undefined;
  return connect(uri, { readConsistencyInterval: 0, ...(storageOptions ? { storageOptions } : {}) });
}
