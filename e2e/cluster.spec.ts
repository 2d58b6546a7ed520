import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createScratchDatabase, type ScratchDatabase } from "@/lib/testing/scratch-db";
import { startS3rver, type TestBucket } from "@/lib/testing/s3rver";
import { recordSeen } from "./support/api";
import { inspectGuardLog, OfflineClient, stopProcessGroup } from "./support/offline-flow";

// The many-node layout of docs/deploy.md over HTTP: two production servers (`next start`) and one
// `cli worker`, each with its own empty DATA_DIR, on one PostgreSQL database and one s3rver bucket,
// no shared disk. The app nodes run no ingestion (INGEST_CONCURRENCY=0): the worker does it. A
// session made on node A is honoured by node B (one AUTH_SECRET), a document uploaded through A is
// answered from through B, and deleting it through B removes its objects from the bucket.

test.describe.configure({ mode: "serial", timeout: 300_000 });

const adminUrl = process.env.TEST_DATABASE_URL;
const base = Number(process.env.E2E_PORT) + 7000;
const admin = { email: "cluster-admin@example.test", password: "cluster admin password 1" };

let s3: TestBucket;
let tmp: string;
let database: ScratchDatabase | undefined;
let env: Record<string, string> & { NODE_ENV: "production" };
const children: ChildProcess[] = [];
const logs = new Map<string, string>();

function spawnNode(name: string, args: string[], extra: Record<string, string> = {}): ChildProcess {
  const dataDir = path.join(tmp, name);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const child = spawn(process.execPath, args, {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env, DATA_DIR: dataDir, ...extra },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  logs.set(name, "");
  const keep = (d: Buffer) => logs.set(name, (logs.get(name)! + d.toString()).slice(-8000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  children.push(child);
  return child;
}

const appNode = (name: string, port: number) =>
  spawnNode(name, [path.join("node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port)], {
    PORT: String(port),
    INGEST_CONCURRENCY: "0",
  });

test.beforeAll(async () => {
  test.skip(!adminUrl, "needs TEST_DATABASE_URL: a cluster shares one PostgreSQL server");
  test.setTimeout(240_000);
  s3 = await startS3rver("kq-e2e-cluster");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kq-e2e-cluster-"));
  database = await createScratchDatabase(adminUrl!, "kq_e2e_cluster");
  const keyFile = path.join(tmp, "kek");
  // 32 random bytes as hex, as lib/crypto/keyring.ts reads a key-encryption key.
  fs.writeFileSync(keyFile, randomBytes(32).toString("hex"), { mode: 0o600 });
  env = {
    ...s3.envVars,
    NODE_ENV: "production" as const,
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
    DATABASE_URL: database.url,
    FILES_URI: `s3://${s3.bucket}/originals`,
    LANCEDB_URI: `s3://${s3.bucket}/lance`,
    ENCRYPTION_KEY_FILE: keyFile,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    MFA_REQUIRED_ROLES: "",
    INDEX_UPKEEP_INTERVAL_SECONDS: "0",
    // Every Node socket of every node goes through the egress guard: loopback only.
    NODE_OPTIONS: `--require ${path.resolve("scripts", "egress-guard.cjs")}`,
    EGRESS_GUARD_LOG: path.join(tmp, "egress.jsonl"),
  };
});

test.afterAll(async () => {
  if (!adminUrl) return;
  await Promise.all(children.map((c) => stopProcessGroup(c)));
  await database?.drop();
  await s3?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("two app nodes and a worker share one database and one bucket, with no shared disk", async () => {
  // Node A first: it migrates the empty database and creates the administrator; B then finds both.
  const a = new OfflineClient(`http://127.0.0.1:${base}`, admin);
  const b = new OfflineClient(`http://127.0.0.1:${base + 1}`, admin);
  const nodeA = appNode("app-a", base);
  await a.waitForHealth(nodeA).catch((err: Error) => {
    throw new Error(`${err.message}\n${logs.get("app-a")}`);
  });
  const nodeB = appNode("app-b", base + 1);
  spawnNode("worker", ["--conditions=react-server", "--import", "tsx", "cli/main.ts", "worker"]);
  await b.waitForHealth(nodeB).catch((err: Error) => {
    throw new Error(`${err.message}\n${logs.get("app-b")}`);
  });

  // A session cookie made by node A is honoured by node B (API keys live in the database anyway).
  const session = await a.signInCookie();
  for (const node of [a, b]) {
    const me = await node.http("GET", "/api/me", { headers: { cookie: session }, record: false });
    expect(me.res.status, `${node.base}: ${me.text}`).toBe(200);
    expect(me.json().email).toBe(admin.email);
  }

  const key = await a.signIn();
  const documentId = await a.ingest(key);
  const originals = await s3.keys("originals/");
  expect(originals).toHaveLength(1);
  expect(originals[0]).toMatch(/\.enc$/);
  expect((await s3.keys("lance/")).length).toBeGreaterThan(0);

  const answer = await b.ask(key, documentId);
  expect(answer).toMatchObject({ status: "complete", citedDocument: true });
  expect(answer.answer).toMatch(/thirty seconds/);

  const removed = await b.http("DELETE", `/api/documents/${documentId}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(removed.res.status, removed.text).toBeLessThan(300);
  expect(await s3.keys("originals/")).toEqual([]);
  await expect(a.ask(key, documentId)).rejects.toThrow(/cites nothing|does not cite/);
  for (const entry of [...a.seen, ...b.seen]) recordSeen(entry);

  // No node kept originals or the table on its own disk, and none tried to leave loopback.
  for (const name of ["app-a", "app-b", "worker"]) {
    expect(fs.existsSync(path.join(tmp, name, "files")), `${name}/files`).toBe(false);
    expect(fs.existsSync(path.join(tmp, name, "lance")), `${name}/lance`).toBe(false);
  }
  const guard = inspectGuardLog(path.join(tmp, "egress.jsonl"));
  expect(guard.problem).toBeNull();
  expect(guard.summary.processes).toBeGreaterThanOrEqual(3);
});
