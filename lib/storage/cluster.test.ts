import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { insertCollection, upsertGrant } from "@/db/queries/collections";
import { addGroupMember, createGroup } from "@/db/queries/groups";
import { createUser } from "@/db/queries/users";
import { newHexKey } from "@/lib/crypto/keyring";
import { createTestDatabase } from "@/lib/testing/db";
import { startS3rver, type TestBucket } from "@/lib/testing/s3rver";

// A cluster on one PostgreSQL and one bucket with no shared disk: two app nodes (processes with
// their own DATA_DIR running the routes' verbs) and one `cli worker`. A document uploaded through
// one node is answered from through the other, and deleting it removes its objects.

const ROOT = process.cwd();
const APP = path.join(ROOT, "lib", "testing", "cluster-app.ts");

let s3: TestBucket;
let h: DatabaseHandle & { url?: string };
let tmp: string;
let shared: Record<string, string>;
let worker: ChildProcess | undefined;

function node(name: string): NodeJS.ProcessEnv {
  const dataDir = path.join(tmp, name);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    NODE_ENV: "production" as const,
    ...shared,
    DATA_DIR: dataDir,
    // Node-level sockets of every node go through the egress guard: only loopback and the
    // configured hosts; LanceDB's native client is pinned to S3_ENDPOINT by its storage options.
    NODE_OPTIONS: `--require ${path.join(ROOT, "scripts", "egress-guard.cjs")}`,
    EGRESS_GUARD_LOG: path.join(tmp, "egress.jsonl"),
  };
}

function app(name: string, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", APP, ...args], {
      cwd: ROOT,
      env: node(name),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)));
      else reject(new Error(`${name} ${args[0]} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

beforeAll(async () => {
  if (!process.env.TEST_DATABASE_URL) return;
  s3 = await startS3rver("kq-cluster");
  h = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kq-cluster-"));
  const keyFile = path.join(tmp, "kek");
  fs.writeFileSync(keyFile, newHexKey(), { mode: 0o600 });
  shared = {
    ...s3.envVars,
    DATABASE_URL: h.url!,
    FILES_URI: `s3://${s3.bucket}/originals`,
    LANCEDB_URI: `s3://${s3.bucket}/lance`,
    ENCRYPTION_KEY_FILE: keyFile,
    INDEX_UPKEEP_INTERVAL_SECONDS: "0",
  };
}, 120_000);
afterAll(async () => {
  if (!process.env.TEST_DATABASE_URL) return;
  if (worker && worker.exitCode === null) {
    worker.kill("SIGTERM");
    await new Promise((r) => worker!.once("exit", r));
  }
  await h.close();
  await s3.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.runIf(process.env.TEST_DATABASE_URL)("two app nodes and a worker on one database and one bucket", () => {
  it("answers on node B from a document uploaded on node A, and deleting it removes its objects", async () => {
    const reader = await createUser(h.db, {
      email: "reader@cluster.test",
      name: "Reader",
      roles: ["employee"],
      passwordHash: null,
    });
    const group = await createGroup(h.db, { name: "Ward staff" });
    await addGroupMember(h.db, { groupId: group.id, userId: reader.id });
    const ward = await insertCollection(h.db, { name: "Ward", description: "", createdBy: null });
    await upsertGrant(h.db, { collectionId: ward.id, groupId: group.id, access: "read" });

    const up = (await app("app-a", [
      "upload",
      ward.id,
      "hand-hygiene.md",
      "# Hand hygiene\n\nStaff must rub hands with alcohol gel for 30 seconds before touching a patient.\n",
    ])) as { documentId: string; versionId: string };
    const originals = await s3.keys("originals/");
    expect(originals).toEqual([`originals/${up.versionId.slice(0, 2)}/${up.versionId}.enc`]);

    worker = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "cli/main.ts", "worker"], {
      cwd: ROOT,
      env: node("worker"),
      stdio: ["ignore", "ignore", "inherit"],
    });
    let status = "";
    for (let i = 0; i < 600 && status !== "succeeded" && status !== "failed"; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const [job] = await h.db.query.jobs.findMany({ limit: 1 });
      status = job?.status ?? "";
    }
    expect(status).toBe("succeeded");

    const answer = (await app("app-b", ["ask", reader.id, "How long must staff rub their hands with gel?"])) as {
      answer: string;
      citations: string[];
    };
    expect(answer.citations).toContain(up.documentId);
    expect(answer.answer).toMatch(/30 seconds/);
    expect((await s3.keys("lance/")).length).toBeGreaterThan(0);

    await app("app-b", ["delete", up.documentId]);
    expect(await s3.keys("originals/")).toEqual([]);
    const after = (await app("app-a", ["ask", reader.id, "How long must staff rub their hands with gel?"])) as {
      citations: string[];
    };
    expect(after.citations).not.toContain(up.documentId);

    const guardLines = fs.readFileSync(path.join(tmp, "egress.jsonl"), "utf8").split("\n");
    expect(guardLines.some((l) => l.includes('"loaded"'))).toBe(true);
    const refused = guardLines.filter((l) => l.includes('"attempt"'));
    expect(refused).toEqual([]);
    // No node wrote originals or the table to its own disk.
    for (const name of ["app-a", "app-b", "worker"]) {
      const dir = path.join(tmp, name);
      expect(fs.existsSync(path.join(dir, "files")), `${name}/files`).toBe(false);
      expect(fs.existsSync(path.join(dir, "lance")), `${name}/lance`).toBe(false);
    }
  }, 480_000);
});
