import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { createUser } from "@/db/queries/users";
import { auditEventContents, conversations, messages } from "@/db/schema";
import { addCollection } from "@/lib/collections/admin";
import { createTestDatabase } from "@/lib/testing/db";
import { startAuditExport } from "./export";
import type { ExportManifest } from "./export-format";
import { questionAnsweredEvent } from "./fixtures";
import { placeLegalHold } from "./holds";
import { signObject } from "./keys";
import { appendAudit } from "./log";
import { runRetentionSweep } from "./retention";
import { loadSigningKey } from "./signing-key";
import { verifyExportFile } from "./verify-export";
import { verifyChain } from "./verify";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// Redaction of audit content happens only through a recorded retention purge, and never to a
// record under a legal hold, whatever code (or person at a SQL prompt) tries it: the database
// refuses, and the verifiers name any redaction no purge accounts for.

let h: DatabaseHandle;
let dir: string;
const cli = { id: null, email: null, via: "cli" as const };
let erin: { id: string; email: string };
let hugo: { id: string; email: string };
let wards: { id: string; name: string };
let litigation: { id: string; name: string };

beforeAll(async () => {
  h = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-redaction-"));
  erin = await createUser(h.db, { email: "erin@example.org", name: "Erin", roles: ["employee"], passwordHash: null });
  hugo = await createUser(h.db, { email: "hugo@example.org", name: "Hugo", roles: ["employee"], passwordHash: null });
  wards = {
    id: (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Wards", description: "" })).id,
    name: "Wards",
  };
  litigation = {
    id: (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Litigation", description: "" })).id,
    name: "Litigation",
  };
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ask = (asker: { id: string; email: string }, collection: { id: string; name: string }, question: string) =>
  appendAudit(h.db, questionAnsweredEvent({ asker, question, collections: [collection], passages: [] }));

/** What a person at a SQL prompt would type to redact one event's content. */
const redact = (seq: number) =>
  sql`update audit_event_contents set content = null, salt = null, search = null, redacted_at = now() where seq = ${seq}`;

/** The database's own message for a refused statement (drizzle wraps it as the cause). */
async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause;
    return cause?.message ?? (err as Error).message;
  }
  throw new Error("The statement was not refused.");
}

const contentOf = async (seq: number) =>
  (await h.db.select().from(auditEventContents).where(eq(auditEventContents.seq, seq)))[0]!;

describe("the database", () => {
  it("refuses a redaction that no retention.purged event names, and keeps the content", async () => {
    const { seq } = await ask(erin, wards, "Where are the sharps bins?");
    expect(await refusal(h.db.execute(redact(seq)))).toBe(
      `audit event ${seq} was redacted without a retention.purged event naming it`,
    );
    // A purge event naming another event does not cover this one either.
    expect(
      await refusal(
        h.db.transaction(async (tx) => {
          await tx.execute(redact(seq));
          await appendAudit(tx, {
            type: "retention.purged",
            actorId: null,
            payload: { auditEventSeqs: [seq + 1000] },
          });
        }),
      ),
    ).toBe(`audit event ${seq} was redacted without a retention.purged event naming it`);
    expect((await contentOf(seq)).content).not.toBeNull();

    // With the purge recorded in the same transaction, it commits and the chain verifies.
    await h.db.transaction(async (tx) => {
      await tx.execute(redact(seq));
      await appendAudit(tx, { type: "retention.purged", actorId: null, payload: { auditEventSeqs: [seq] } });
    });
    expect((await contentOf(seq)).content).toBeNull();
    expect(await verifyChain(h.db)).toMatchObject({ ok: true });
  });

  it("refuses to redact a record under a legal hold, by user, collection or conversation, even with a purge", async () => {
    const held = await ask(hugo, wards, "Can I skip the second signature?");
    const inHeldCollection = await ask(erin, litigation, "What did the settlement say?");
    await placeLegalHold({ actor: cli, db: h.db }, { user: hugo.email, reason: "Subpoena 2026-17" });
    await placeLegalHold({ actor: cli, db: h.db }, { collection: litigation.name, reason: "Pending litigation" });
    for (const seq of [held.seq, inHeldCollection.seq]) {
      expect(
        await refusal(
          h.db.transaction(async (tx) => {
            await tx.execute(redact(seq));
            await appendAudit(tx, { type: "retention.purged", actorId: null, payload: { auditEventSeqs: [seq] } });
          }),
        ),
      ).toBe(`audit event ${seq} is under a legal hold and cannot be redacted`);
      expect((await contentOf(seq)).content).not.toBeNull();
    }

    // A conversation whose messages searched the held collection: its messages stay too.
    const [conv] = await h.db.insert(conversations).values({ userId: erin.id, title: "Settlement" }).returning();
    const [msg] = await h.db
      .insert(messages)
      .values({ conversationId: conv!.id, role: "assistant", content: "The terms.", collectionIds: [litigation.id] })
      .returning();
    expect(
      await refusal(h.db.execute(sql`update messages set content = 'gone', redacted_at = now() where id = ${msg!.id}`)),
    ).toBe(`message ${msg!.id} is in a conversation under a legal hold and cannot be redacted`);

    // The retention sweep, the one code path meant to redact, leaves them alone and redacts the rest.
    const free = await ask(erin, wards, "Where is the crash cart?");
    const swept = await runRetentionSweep(
      { actor: cli, db: h.db },
      { retentionDays: 1, now: new Date(Date.now() + 3 * 86_400_000) },
    );
    expect(swept.auditEvents).toBe(1);
    expect((await contentOf(free.seq)).content).toBeNull();
    for (const seq of [held.seq, inHeldCollection.seq]) expect((await contentOf(seq)).content).not.toBeNull();
    expect((await verifyChain(h.db)).ok).toBe(true);
  });
});

describe("the verifiers", () => {
  it("name a redaction made behind the triggers' back with no purge to account for it", async () => {
    const key = loadSigningKey({ dataDir: dir, AUDIT_SIGNING_KEY: undefined });
    const trusted = { trusted: { key: key.publicKey, reason: "the test's signing key" } };

    // A filtered export holds the retention purges, so its redacted events check out.
    const exp = await startAuditExport(
      { actor: cli, db: h.db },
      { format: "jsonl", filters: { type: ["question"] }, key },
    );
    let text = "";
    for await (const chunk of exp.chunks) text += new TextDecoder().decode(chunk);
    const file = path.join(dir, "filtered.jsonl");
    fs.writeFileSync(file, text);
    expect(text).toContain('"type":"retention.purged"');
    expect(text).toContain('"redactedAt":"');
    const ok = await verifyExportFile(file, trusted);
    expect(ok.problems).toEqual([]);

    // The same file without its purge events, re-signed even with the trusted key: each redaction is named.
    const lines = text.trimEnd().split("\n");
    const manifest = JSON.parse(lines.pop()!) as ExportManifest;
    const kept = lines.filter((l) => !l.includes('"type":"retention.purged"'));
    const redacted = kept
      .map((l) => JSON.parse(l) as { seq?: number; redactedAt?: string | null })
      .filter((r) => r.redactedAt)
      .map((r) => r.seq);
    expect(redacted.length).toBeGreaterThan(0);
    const body = kept.join("\n") + "\n";
    const { signature: _s, ...rest } = manifest;
    void _s;
    const unsigned = {
      ...rest,
      rowCount: kept.length - 1,
      bodySha256: createHash("sha256").update(body).digest("hex"),
    };
    const stripped = path.join(dir, "stripped.jsonl");
    fs.writeFileSync(
      stripped,
      body + JSON.stringify({ ...unsigned, signature: signObject(key.privateKey, unsigned) }) + "\n",
    );
    const bad = await verifyExportFile(stripped, trusted);
    expect(bad.ok).toBe(false);
    expect(bad.problems).toContain(`Redacted without a retention purge naming them: event(s) ${redacted.join(", ")}.`);

    // In the database, with the triggers switched off as only a superuser can.
    const { seq } = await ask(erin, wards, "Who signs the controlled drugs book?");
    await h.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(redact(seq));
    });
    expect((await verifyChain(h.db)).firstBroken).toEqual({
      seq,
      reason: `event ${seq}'s content is redacted but no retention.purged event after it names it`,
    });
  });
});
