import fs from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { flagAnswer } from "@/lib/review/flag";
import { createTestDatabase } from "@/lib/testing/db";
import { questionAnsweredEvent } from "./fixtures";
import { appendAuditGrouped } from "./group-append";
import { appendAudit } from "./log";
import { runRetentionSweep } from "./retention";
import { verifyChain } from "./verify";

// On a real server the application can run as a role without UPDATE/DELETE on the audit tables
// (docs/sql/runtime-role.sql). PGlite has a single superuser, so this needs TEST_DATABASE_URL.

const url = process.env.TEST_DATABASE_URL;
let owner: (DatabaseHandle & { url?: string }) | undefined;
let app: DatabaseHandle | undefined;
const role = `kq_app_${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  if (!url) return;
  owner = await createTestDatabase();
  await owner.db.execute(sql.raw(`create role ${role} login password 'app-password'`));
  await owner.db.execute(sql.raw(fs.readFileSync("docs/sql/runtime-role.sql", "utf8").replaceAll("kq_app", role)));
  const appUrl = new URL(owner.url!);
  appUrl.username = role;
  appUrl.password = "app-password";
  app = await openDatabase({ url: appUrl.toString(), poolMax: 2 });
});
afterAll(async () => {
  await app?.close();
  await owner?.close();
  if (url) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`drop role if exists ${role}`);
    await c.end();
  }
});

describe.runIf(url)("the runtime role", () => {
  it("appends and redacts, but may not update or delete the chain", async () => {
    const asker = { id: randomUUID(), email: "erin@example.org" };
    const { seq } = await appendAudit(
      app!.db,
      questionAnsweredEvent({
        asker,
        collections: [],
        passages: [{ documentId: randomUUID(), versionId: randomUUID(), title: "T", text: "P." }],
      }),
    );
    const denied = async (statement: ReturnType<typeof sql>) => {
      const err = await app!.db.execute(statement).then(
        () => null,
        (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
      );
      expect(err).toMatch(/permission denied/);
    };
    await denied(sql`update audit_events set actor_email = 'x' where seq = ${seq}`);
    await denied(sql`delete from audit_events where seq = ${seq}`);
    await denied(sql`delete from audit_event_contents where seq = ${seq}`);
    // Even with the triggers disabled for the session, which only a superuser may do.
    await denied(sql`set session_replication_role = replica`);
    const swept = await runRetentionSweep(
      { actor: { id: null, email: null, via: "system" }, db: app!.db },
      { retentionDays: 1, now: new Date(Date.now() + 2 * 86_400_000) },
    );
    expect(swept.auditEvents).toBe(1);
    // Grouped appends go through audit_append_group, which runs with the role's own rights.
    const grouped = await appendAuditGrouped(app!.db, { type: "auth.sign_out", actorId: null, payload: {} });
    expect(grouped.seq).toBe(3);
    expect(await verifyChain(app!.db)).toMatchObject({ ok: true, count: 3 });
  });

  it("numbers review queue items and their flags (the role may use the sequences)", async () => {
    const answer = {
      messageId: randomUUID(),
      conversationId: randomUUID(),
      asker: { id: null, email: "erin@example.org" },
    };
    const first = await app!.db.transaction((tx) =>
      flagAnswer(tx, { ...answer, flags: [{ source: "guard", reason: "output_redacted" }] }),
    );
    const second = await app!.db.transaction((tx) =>
      flagAnswer(tx, { ...answer, flags: [{ source: "user", reason: "incorrect" }] }),
    );
    expect(first).toMatchObject({ number: expect.any(Number), reopened: false });
    expect(second!.itemId).toBe(first!.itemId);
  });
});
