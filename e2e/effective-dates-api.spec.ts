import { expect, test, type APIRequestContext } from "@playwright/test";
import { bearer, call, recordSeen } from "./support/api";
import { ask, createCollection, createGroup, createUser, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";

// Effective dates over the HTTP API against the production server: two versions of a protocol
// with different dates and facts; a question now cites the current one, the same question as of a
// past date the old one; a version scheduled a few seconds ahead is invisible until its date and
// then takes effect; managers change dates; the comparison names what changed.

test.describe.configure({ mode: "serial" });

const V1 = "# Visitor protocol\n\nVisitors to the burns unit may stay until 19:00 and must wear gloves.\n";
const V2 = "# Visitor protocol\n\nVisitors to the burns unit may stay until 21:00 and must wear a gown.\n";
const V3 = "# Visitor protocol\n\nVisitors to the burns unit may stay until 23:00 and must wear a mask.\n";
const QUESTION = "Until what time may visitors stay on the burns unit?";

let adminKey: string;
let readerKey: string;
let collectionId: string;
let documentId: string;
const versions: string[] = [];

async function upload(request: APIRequestContext, text: string, effectiveFrom: string) {
  const url = `/api/collections/${collectionId}/documents`;
  const res = await request.post(url, {
    headers: bearer(adminKey),
    multipart: {
      effectiveFrom,
      file: { name: "burns-visitors.md", mimeType: "text/markdown", buffer: Buffer.from(text) },
    },
  });
  const body = await res.text();
  recordSeen({ url: `POST ${url}`, status: res.status(), body });
  expect(res.status(), body).toBe(202);
  const file = (JSON.parse(body) as { files: { documentId: string; versionId: string; jobId: string }[] }).files[0]!;
  await waitForJob(request, adminKey, file.jobId);
  documentId = file.documentId;
  versions.push(file.versionId);
  return file;
}

const cited = (final: { citations: { versionId: string }[] } | undefined) =>
  new Set(final?.citations.map((c) => c.versionId));

test.beforeAll(async ({ request }) => {
  adminKey = createApiKey(e2e.adminEmail);
  const stamp = Date.now();
  collectionId = await createCollection(request, adminKey, `Burns unit ${stamp}`);
  const reader = uniqueEmail("burns-reader");
  await createUser(request, adminKey, reader, "burns reader password 1");
  await createGroup(request, adminKey, `Burns readers ${stamp}`, [reader]);
  await call(request, "POST", `/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { group: `Burns readers ${stamp}`, access: "read" },
  });
  readerKey = createApiKey(reader);
  await upload(request, V1, "2025-01-01");
  await upload(request, V2, "2026-03-01");
});

test("a bad effectiveFrom is refused naming the field, and nothing is uploaded", async ({ request }) => {
  const url = `/api/collections/${collectionId}/documents`;
  const res = await request.post(url, {
    headers: bearer(adminKey),
    multipart: {
      effectiveFrom: "next Tuesday",
      file: { name: "x.md", mimeType: "text/markdown", buffer: Buffer.from("# X\n\nY.\n") },
    },
  });
  const body = await res.text();
  recordSeen({ url: `POST ${url}`, status: res.status(), body });
  expect(res.status()).toBe(400);
  expect(body).toContain("effectiveFrom must be an ISO date");
});

test("now cites the current version; as of a past date the old one, saying which version applied", async ({
  request,
}) => {
  const now = await ask(request, readerKey, { message: QUESTION, collectionIds: [collectionId] });
  expect(now.status).toBe(200);
  expect(cited(now.final)).toEqual(new Set([versions[1]]));
  expect(now.final!.answer).toContain("21:00");

  const then = await ask(request, readerKey, { message: QUESTION, collectionIds: [collectionId], asOf: "2025-06-01" });
  expect(cited(then.final)).toEqual(new Set([versions[0]]));
  expect(then.final!.answer).toContain("19:00");
  expect(then.final!.answer).toContain("version 1, in effect 2025-01-01 to 2026-02-28");

  // The reader opens the cited old passage for that date only.
  const c = (then.final!.citations as { charStart: number; charEnd: number }[])[0]!;
  const passage = `/api/documents/${documentId}/passage?version=${versions[0]}&start=${c.charStart}&end=${c.charEnd}`;
  expect((await call(request, "GET", passage, { key: readerKey })).res.status()).toBe(404);
  const opened = await call(request, "GET", `${passage}&asOf=2025-06-01`, { key: readerKey });
  expect(opened.json).toMatchObject({ versionNumber: 1, effectiveUntil: "2026-03-01T00:00:00.000Z" });

  const bad = await ask(request, readerKey, { message: QUESTION, asOf: "2999-01-01" });
  expect(bad.status).toBe(400);
});

test("a version scheduled a few seconds ahead is invisible until its date, then takes effect", async ({ request }) => {
  const at = new Date(Date.now() + 6_000);
  await upload(request, V3, at.toISOString());
  const before = await ask(request, readerKey, { message: QUESTION, collectionIds: [collectionId] });
  expect(cited(before.final)).toEqual(new Set([versions[1]]));
  const { json } = await call(request, "GET", `/api/documents/${documentId}`, { key: readerKey });
  expect(JSON.stringify(json)).not.toContain(versions[2]);

  await new Promise((r) => setTimeout(r, Math.max(0, at.getTime() - Date.now()) + 500));
  const after = await ask(request, readerKey, { message: QUESTION, collectionIds: [collectionId] });
  expect(cited(after.final)).toEqual(new Set([versions[2]]));
  expect(after.final!.answer).toContain("23:00");
});

test("managers change when a version is in effect; readers cannot", async ({ request }) => {
  const url = `/api/documents/${documentId}/versions/${versions[0]}`;
  const refused = await call(request, "PATCH", url, { key: readerKey, data: { effectiveUntil: "2025-03-01" } });
  expect(refused.res.status()).toBe(403);
  const bad = await call(request, "PATCH", url, { key: adminKey, data: { effectiveUntil: "2024-01-01" } });
  expect(bad.res.status()).toBe(400);
  const ok = await call(request, "PATCH", url, { key: adminKey, data: { effectiveUntil: "2025-09-01" } });
  expect(ok.json).toMatchObject({ interval: { from: "2025-01-01T00:00:00.000Z", until: "2025-09-01T00:00:00.000Z" } });
  const gap = await ask(request, readerKey, { message: QUESTION, collectionIds: [collectionId], asOf: "2025-10-01" });
  expect(gap.final!.citations).toEqual([]);
  expect(gap.final!.answer).toContain("a later version does");
});

test("the comparison names the changed sentence, for readers too", async ({ request }) => {
  const { res, json } = await call(
    request,
    "GET",
    `/api/documents/${documentId}/changes?from=${versions[0]}&to=${versions[1]}`,
    { key: readerKey },
  );
  expect(res.status()).toBe(200);
  const changes = json as { summary: { changed: number }; sections: { sentences: { kind: string; text: string }[] }[] };
  expect(changes.summary.changed).toBe(1);
  const pieces = changes.sections[0]!.sentences;
  expect(pieces.some((p) => p.kind === "removed" && p.text.includes("19:00"))).toBe(true);
  expect(pieces.some((p) => p.kind === "added" && p.text.includes("21:00"))).toBe(true);
});
