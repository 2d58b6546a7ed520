import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { migrateDatabase, openDatabase, queryRows } from "./client";
import { LockHeldError, lockPath, readLock } from "./embedded-lock";
import { countUsers, createUser } from "./queries/users";

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "kq-db-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("embedded database", () => {
  it("migrates, keeps data across restarts, and migrating twice is harmless", async () => {
    const dataDir = tempDir();
    const first = await openDatabase({ dataDir, owner: "server" });
    await migrateDatabase(first);
    await createUser(first.db, { email: "keep@example.org", name: "Keep", roles: ["employee"], passwordHash: null });
    await first.close();
    expect(fs.existsSync(lockPath(dataDir))).toBe(false);

    const second = await openDatabase({ dataDir, owner: "server" });
    await migrateDatabase(second);
    await migrateDatabase(second);
    expect(await countUsers(second.db)).toBe(1);
    await second.close();
  });

  it("refuses to open a directory another live process holds, naming it", async () => {
    const dataDir = tempDir();
    // A real other process: `sleep` stands in for a running server.
    const other = spawn("sleep", ["30"]);
    try {
      fs.writeFileSync(
        lockPath(dataDir),
        JSON.stringify({ pid: other.pid, owner: "server", startedAt: new Date().toISOString() }),
      );
      const attempt = openDatabase({ dataDir, owner: "cli" });
      await expect(attempt).rejects.toBeInstanceOf(LockHeldError);
      await expect(openDatabase({ dataDir, owner: "cli" })).rejects.toThrow(`in use by the server (pid ${other.pid})`);
      // The holder's lock is untouched.
      expect(readLock(dataDir)?.pid).toBe(other.pid);
    } finally {
      other.kill();
    }
  });

  it("takes over a lock left by a process that is gone", async () => {
    const dataDir = tempDir();
    const gone = spawn("true");
    await new Promise((r) => gone.on("exit", r));
    fs.writeFileSync(lockPath(dataDir), JSON.stringify({ pid: gone.pid, owner: "server", startedAt: "" }));
    const h = await openDatabase({ dataDir, owner: "cli" });
    expect(readLock(dataDir)).toMatchObject({ pid: process.pid, owner: "cli" });
    await h.close();
  });

  it("treats a half-written lock file as stale", async () => {
    const dataDir = tempDir();
    fs.writeFileSync(lockPath(dataDir), '{"pid": 12');
    const h = await openDatabase({ dataDir, owner: "server" });
    await h.close();
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)("postgres", () => {
  it("runs concurrent migrations on a fresh database without conflict", async () => {
    const { createTestDatabase } = await import("@/lib/testing/db");
    const h = await createTestDatabase();
    try {
      const url = (h as { url?: string }).url!;
      const others = await Promise.all([openDatabase({ url }), openDatabase({ url })]);
      await Promise.all(others.map((o) => migrateDatabase(o, url)));
      const r = await queryRows<{ n: number }>(h.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(r[0]?.n).toBe(
        fs.readdirSync(path.join(process.cwd(), "db/migrations")).filter((f) => f.endsWith(".sql")).length,
      );
      await Promise.all(others.map((o) => o.close()));
    } finally {
      await h.close();
    }
  });
});
