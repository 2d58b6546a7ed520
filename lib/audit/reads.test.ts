import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { setCurrentVersion, updateVersion } from "@/db/queries/documents";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { addCollection, addGrant, changeCollectionPolicy } from "@/lib/collections/admin";
import { openOriginal } from "@/lib/documents/original";
import { readPassage } from "@/lib/documents/passage";
import { acceptUpload } from "@/lib/documents/upload";
import { flagAnswer } from "@/lib/review/flag";
import { parseReviewQueueFilters, readReviewItem, readReviewQueue } from "@/lib/review/queue";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser } from "@/lib/users/admin";
import { startAuditExport } from "./export";
import { parseAuditFilters } from "./filters";
import { questionAnsweredEvent } from "./fixtures";
import { appendAudit } from "./log";
import { eventView } from "./rows";
import { listEventsPage, readAuditEvent, readAuditLog } from "./service";
import { loadSigningKey, type SigningKey } from "./signing-key";
import { verifyChain } from "./verify";
import { verifyExportFile } from "./verify-export";
import { SYSTEM_ACTOR, asUser } from "@/lib/testing/actors";

// Reads that disclose content are audit events (issue 13 §1): each kind opened as its reader is
// found with actor, object ids and time, a refused read leaves none, the console's "reads" filter
// shows them, and an export includes them and verifies.

let h: DatabaseHandle;
let dataDir: string;
let key: SigningKey;
let reader: Actor, auditor: Actor;
const docs = { masked: { documentId: "", versionId: "" }, open: { documentId: "", versionId: "" } };
let askerId = "";

const TEXT = "Refund policy. Patient SSN [SSN] must be verified before a deposit is refunded.";

async function publish(collectionId: string, name: string) {
  const r = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 1 << 20 },
    { collectionId, fileName: name, bytes: Buffer.from(`${TEXT} (original ${name})`) },
  );
  if (r.status !== "queued") throw new Error(JSON.stringify(r));
  await updateVersion(h.db, {
    id: r.versionId,
    status: "ready",
    format: "text",
    text: TEXT,
    pageStarts: [0],
    pageCount: 1,
    processedAt: new Date(),
  });
  await setCurrentVersion(h.db, { documentId: r.documentId, versionId: r.versionId });
  return { documentId: r.documentId, versionId: r.versionId };
}

beforeAll(async () => {
  h = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-reads-"));
  key = loadSigningKey({ dataDir, AUDIT_SIGNING_KEY: undefined });
  const admin = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "a@x.org", name: "A", roles: ["admin"], password: "admin password 1" },
  );
  const r = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "r@x.org", name: "R", roles: ["employee"], password: "reader password 1" },
  );
  const c = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    {
      email: "c@x.org",
      name: "C",
      roles: ["compliance"],
      password: "auditor password 1",
    },
  );
  askerId = r.id;
  const masked = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Refunds", description: "" })).id;
  const open = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Open", description: "" })).id;
  for (const id of [masked, open])
    await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, id, { role: "employee", access: "read" });
  await changeCollectionPolicy({ actor: asUser(admin.id), db: h.db }, masked, {
    patch: { pii: "mask" },
    recheck: false,
  });
  docs.masked = await publish(masked, "refunds.txt");
  docs.open = await publish(open, "open.txt");
  reader = (await actorFromUserId(h.db, r.id))!;
  auditor = (await actorFromUserId(h.db, c.id))!;
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function newest(type: string) {
  const [row] = await listAuditEvents(h.db, { query: { types: [type] }, limit: 1 });
  return row ? eventView(row) : null;
}

/** Asserts the newest event of `type` was written by `actor` within the last `since`. */
async function recorded(type: string, actor: Actor, since: number) {
  const e = await newest(type);
  expect(e, `no ${type} event`).not.toBeNull();
  expect(e).toMatchObject({ actorId: actor.id, actorEmail: actor.email });
  expect(Date.parse(e!.at)).toBeGreaterThanOrEqual(since - 1000);
  expect(Date.parse(e!.at)).toBeLessThanOrEqual(Date.now() + 1000);
  return e!;
}

describe("reads are recorded", () => {
  it("records opening an original with who, which document and version, and when", async () => {
    const since = Date.now();
    const opened = await openOriginal(h.db, reader, { documentId: docs.open.documentId, dataDir });
    expect(opened.kind).toBe("original");
    const e = await recorded("read.file", reader, since);
    expect(e.subject).toMatchObject({ documentId: docs.open.documentId });
    expect(e.payload).toMatchObject({
      rendition: "original",
      documentId: docs.open.documentId,
      versionId: docs.open.versionId,
      versionNumber: 1,
      name: "open.txt",
      via: "session",
    });
  });

  it("records the masked rendition as such", async () => {
    const since = Date.now();
    const opened = await openOriginal(h.db, reader, { documentId: docs.masked.documentId, dataDir });
    expect(opened.kind).toBe("masked");
    const e = await recorded("read.file", reader, since);
    expect(e.payload).toMatchObject({ rendition: "masked", versionId: docs.masked.versionId });
  });

  it("records a passage with its range, and nothing for a refused one", async () => {
    const since = Date.now();
    await readPassage(h.db, reader, { ...docs.open, start: 0, end: 14 });
    const e = await recorded("read.passage", reader, since);
    expect(e.payload).toMatchObject({
      documentId: docs.open.documentId,
      versionId: docs.open.versionId,
      start: 0,
      end: 14,
    });

    const before = (await newest("read.passage"))!.seq;
    await expect(readPassage(h.db, reader, { ...docs.open, start: 0, end: 100_000 })).rejects.toMatchObject({
      code: "invalid_request",
    });
    await expect(
      readPassage(h.db, reader, { documentId: docs.open.documentId, versionId: randomUUID(), start: 0, end: 5 }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect((await newest("read.passage"))!.seq).toBe(before);
  });

  it("records viewing an audit event, naming the person it concerns, and refuses non-compliance callers", async () => {
    const asked = await appendAudit(
      h.db,
      questionAnsweredEvent({ asker: { id: askerId, email: "r@x.org" }, collections: [], passages: [] }),
    );
    const since = Date.now();
    const detail = await readAuditEvent({ actor: auditor, db: h.db }, asked.seq);
    expect(detail.event.seq).toBe(asked.seq);
    const e = await recorded("read.audit_event", auditor, since);
    expect(e.payload).toMatchObject({ seq: asked.seq, eventType: "question.answered" });
    expect(e.subject.userId).toBe(askerId);

    const count = (await listEventsPage(h.db, { filters: {}, limit: 500 })).events.length;
    await expect(readAuditEvent({ actor: reader, db: h.db }, asked.seq)).rejects.toMatchObject({ code: "forbidden" });
    expect((await listEventsPage(h.db, { filters: {}, limit: 500 })).events.length).toBe(count);
  });

  it("records one event for a page of the log, however many rows it shows", async () => {
    const head = (await newest("read.audit_event"))!.seq;
    const page = await readAuditLog({ actor: auditor, db: h.db }, { filters: {}, limit: 50 });
    expect(page.events.length).toBeGreaterThan(3);
    const after = await listEventsPage(h.db, { filters: {}, limit: 500 });
    expect(after.events.filter((e) => e.seq > head).map((e) => e.type)).toEqual(["read.audit_log"]);
    const e = await recorded("read.audit_log", auditor, Date.now() - 5000);
    expect(e.payload).toMatchObject({
      count: page.events.length,
      newestSeq: page.events[0]!.seq,
      oldestSeq: page.events.at(-1)!.seq,
    });
  });

  it("records viewing a review item, naming the asker, and a page of the queue", async () => {
    const answer = { messageId: randomUUID(), conversationId: randomUUID() };
    const item = await h.db.transaction((tx) =>
      flagAnswer(tx, {
        ...answer,
        asker: { id: askerId, email: "r@x.org" },
        flags: [{ source: "user", reason: "incorrect", createdBy: askerId }],
      }),
    );
    const since = Date.now();
    const detail = await readReviewItem({ actor: auditor, db: h.db }, item!.itemId);
    expect(detail.item.id).toBe(item!.itemId);
    const e = await recorded("read.review_item", auditor, since);
    expect(e.payload).toMatchObject({ itemId: item!.itemId, number: item!.number });
    expect(e.subject).toMatchObject({ userId: askerId, conversationId: answer.conversationId });
    await expect(readReviewItem({ actor: reader, db: h.db }, item!.itemId)).rejects.toMatchObject({
      code: "forbidden",
    });

    const queue = await readReviewQueue({ actor: auditor, db: h.db }, parseReviewQueueFilters(new URLSearchParams()));
    expect(queue.items.map((i) => i.number)).toContain(item!.number);
    const listed = await recorded("read.review_queue", auditor, since);
    expect(listed.payload).toMatchObject({ count: queue.items.length, numbers: queue.items.map((i) => i.number) });
    await expect(
      readReviewQueue({ actor: reader, db: h.db }, parseReviewQueueFilters(new URLSearchParams())),
    ).rejects.toMatchObject({ code: "forbidden" });
  });

  it("shows reads under the console's reads filter, and by the person they concern", async () => {
    for (const type of ["read", "reads"]) {
      const page = await listEventsPage(h.db, { filters: parseAuditFilters({ type }), limit: 500 });
      const types = new Set(page.events.map((e) => e.type));
      expect([...types].sort()).toEqual([
        "read.audit_event",
        "read.audit_log",
        "read.file",
        "read.passage",
        "read.review_item",
        "read.review_queue",
      ]);
      expect(page.events.every((e) => e.summary !== e.type)).toBe(true);
    }
    const byDocument = await listEventsPage(h.db, {
      filters: parseAuditFilters({ type: "read", document: docs.open.documentId }),
      limit: 50,
    });
    expect(byDocument.events.map((e) => e.type).sort()).toEqual(["read.file", "read.passage"]);
    const aboutAsker = await listEventsPage(h.db, {
      filters: parseAuditFilters({ type: "read", user: "r@x.org" }),
      limit: 50,
    });
    // Reader's own reads, and compliance's reads of records about them.
    expect(new Set(aboutAsker.events.map((e) => e.type))).toEqual(
      new Set(["read.file", "read.passage", "read.audit_event", "read.review_item"]),
    );
  });

  it("includes reads in exports, which verify", async () => {
    expect((await verifyChain(h.db)).ok).toBe(true);
    for (const filters of [{}, { type: "read" }]) {
      const exp = await startAuditExport(
        { actor: { id: auditor.id, email: auditor.email, via: "session" }, db: h.db },
        { format: "jsonl", filters: parseAuditFilters(filters), key },
      );
      let text = "";
      const decoder = new TextDecoder();
      for await (const chunk of exp.chunks) text += decoder.decode(chunk, { stream: true });
      const file = path.join(dataDir, `${randomUUID()}.jsonl`);
      fs.writeFileSync(file, text);
      for (const type of [
        "read.file",
        "read.passage",
        "read.audit_event",
        "read.audit_log",
        "read.review_item",
        "read.review_queue",
      ])
        expect(text).toContain(`"type":"${type}"`);
      const check = await verifyExportFile(file, {
        trusted: { key: key.publicKey, reason: "this installation's signing key" },
      });
      expect(check.problems).toEqual([]);
      expect(check.ok).toBe(true);
    }
  });
});
