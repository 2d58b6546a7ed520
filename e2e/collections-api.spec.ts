import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { bearer, call, recordSeen } from "./support/api";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";

// Collections, grants, uploads, jobs, restrictions, downloads and deletion over the HTTP API,
// against the production server with the real parsers, embedder and LanceDB.

test.describe.configure({ mode: "serial" });

const PDF = path.resolve(process.cwd(), "../shared/data/regdocs/cdc-nih-pdf/NIH_NIDDK_Eating_Diabetes_508.pdf");

let adminKey: string;
let readerKey: string;
let memberKey: string;
let collectionId: string;
let groupName: string;
const name = `Infection control ${Date.now()}`;

type Outcome = {
  name: string;
  status: string;
  documentId?: string;
  jobId?: string;
  error?: { code: string; message: string };
  message?: string;
};

async function upload(
  request: APIRequestContext,
  key: string,
  files: { name: string; body: Buffer | string; mimeType?: string }[],
) {
  const multipart: Record<string, { name: string; mimeType: string; buffer: Buffer }> = {};
  files.forEach((f, i) => {
    multipart[`file${i}`] = {
      name: f.name,
      mimeType: f.mimeType ?? "application/octet-stream",
      buffer: Buffer.isBuffer(f.body) ? f.body : Buffer.from(f.body),
    };
  });
  const url = `/api/collections/${collectionId}/documents`;
  const res = await request.post(url, { headers: bearer(key), multipart });
  const text = await res.text();
  recordSeen({ url: `POST ${url}`, status: res.status(), body: text });
  return {
    status: res.status(),
    body: JSON.parse(text) as { files?: Outcome[]; error?: { code: string; message: string } },
  };
}

/** Downloads an original, recording the call like every other API response. */
async function download(request: APIRequestContext, documentId: string, key: string) {
  const url = `/api/documents/${documentId}/file`;
  const res = await request.get(url, { headers: bearer(key) });
  recordSeen({ url: `GET ${url}`, status: res.status(), body: res.status() === 200 ? "(file)" : await res.text() });
  return res;
}

async function waitForJob(request: APIRequestContext, jobId: string) {
  for (let i = 0; i < 240; i++) {
    const { json } = await call(request, "GET", `/api/jobs/${jobId}`, { key: adminKey });
    const job = json as { status: string; error: string | null; progress: number };
    if (job.status === "succeeded" || job.status === "failed") return job;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`job ${jobId} did not finish`);
}

test.beforeAll(async ({ request }) => {
  adminKey = createApiKey(e2e.adminEmail);
  groupName = `Ward ${Date.now()}`;
  const readerEmail = uniqueEmail("reader");
  const memberEmail = uniqueEmail("member");
  for (const email of [readerEmail, memberEmail]) {
    await call(request, "POST", "/api/users", {
      key: adminKey,
      data: { email, name: "Staff", roles: ["employee"], password: "staff password 1" },
    });
  }
  const group = await call(request, "POST", "/api/groups", { key: adminKey, data: { name: groupName } });
  await call(request, "POST", `/api/groups/${(group.json as { id: string }).id}/members`, {
    key: adminKey,
    data: { email: memberEmail },
  });
  readerKey = createApiKey(readerEmail);
  memberKey = createApiKey(memberEmail);
});

test("admins create collections; names are checked; employees cannot", async ({ request }) => {
  const created = await call(request, "POST", "/api/collections", {
    key: adminKey,
    data: { name, description: "Protocols for wards" },
  });
  expect(created.res.status()).toBe(201);
  collectionId = (created.json as { id: string }).id;
  const dup = await call(request, "POST", "/api/collections", { key: adminKey, data: { name } });
  expect(dup.res.status()).toBe(409);
  expect((dup.json as { error: { message: string } }).error.message).toBe(
    `A collection named "${name}" already exists.`,
  );
  const bad = await call(request, "POST", "/api/collections", { key: adminKey, data: { name: "../etc" } });
  expect(bad.res.status()).toBe(400);
  const byEmployee = await call(request, "POST", "/api/collections", { key: readerKey, data: { name: "Mine" } });
  expect(byEmployee.res.status()).toBe(403);
});

test("a collection is invisible until granted, then readable but not manageable", async ({ request }) => {
  const before = await call(request, "GET", "/api/collections", { key: readerKey });
  expect((before.json as { collections: { id: string }[] }).collections.map((c) => c.id)).not.toContain(collectionId);
  expect((await call(request, "GET", `/api/collections/${collectionId}`, { key: readerKey })).res.status()).toBe(404);

  const grant = await call(request, "POST", `/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { role: "employee", access: "read" },
  });
  expect(grant.res.status()).toBe(201);
  const groupGrant = await call(request, "POST", `/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { group: groupName, access: "manage" },
  });
  expect(groupGrant.json).toMatchObject({ access: "manage", group: { name: groupName } });
  const badGrant = await call(request, "POST", `/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { group: "No such group" },
  });
  expect((badGrant.json as { error: { message: string } }).error.message).toBe('No group named "No such group".');
  const grants = await call(request, "GET", `/api/collections/${collectionId}/grants`, { key: adminKey });
  expect((grants.json as { grants: unknown[] }).grants).toHaveLength(2);

  const after = await call(request, "GET", "/api/collections", { key: readerKey });
  expect(
    (after.json as { collections: { id: string; access: string }[] }).collections.find((c) => c.id === collectionId)
      ?.access,
  ).toBe("read");
  const { status } = await upload(request, readerKey, [{ name: "x.md", body: "# X" }]);
  expect(status).toBe(403);
  expect(
    (
      await call(request, "PATCH", `/api/collections/${collectionId}`, {
        key: adminKey,
        data: { description: "Ward protocols" },
      })
    ).json,
  ).toMatchObject({
    description: "Ward protocols",
  });
});

test("a batch upload: good files are ingested, bad ones fail with their reason, and the rest of the batch goes on", async ({
  request,
}) => {
  const { status, body } = await upload(request, adminKey, [
    {
      name: "hand-hygiene.md",
      body: "# Hand hygiene\n\n## Before patient contact\n\nUse alcohol-based hand rub for 20 seconds before touching a patient.\n",
    },
    { name: "diabetes.pdf", body: fs.readFileSync(PDF), mimeType: "application/pdf" },
    { name: "empty.txt", body: "" },
    { name: "archive.zip", body: Buffer.from("504b0506000000000000000000000000000000000000", "hex") },
    { name: "../../etc/passwd.md", body: "# Passwords\n\nNever share them.\n" },
  ]);
  expect(status).toBe(202);
  const files = body.files!;
  expect(files.map((f) => [f.name, f.status])).toEqual([
    ["hand-hygiene.md", "queued"],
    ["diabetes.pdf", "queued"],
    ["empty.txt", "queued"],
    ["archive.zip", "queued"],
    ["etc/passwd.md", "queued"],
  ]);
  const results = await Promise.all(files.map((f) => waitForJob(request, f.jobId!)));
  expect(results.map((r) => r.status)).toEqual(["succeeded", "succeeded", "failed", "failed", "succeeded"]);
  expect(results[2]!.error).toBe("The file is empty.");
  expect(results[3]!.error).toMatch(
    /is a ZIP archive|not a DOCX|supported types are PDF, DOCX, HTML, Markdown, plain text, CSV, JSON, and PNG, JPEG or TIFF images/,
  );

  const docs = await call(request, "GET", `/api/collections/${collectionId}/documents`, { key: readerKey });
  const byName = new Map(
    (
      docs.json as {
        documents: { name: string; status: string; pages: number | null; chunkCount: number | null; error: unknown }[];
      }
    ).documents.map((d) => [d.name, d]),
  );
  expect(byName.get("diabetes.pdf")).toMatchObject({ status: "ready", pages: 52 });
  expect(byName.get("diabetes.pdf")!.chunkCount).toBeGreaterThan(10);
  expect(byName.get("hand-hygiene.md")).toMatchObject({ status: "ready", chunkCount: 1 });
  expect(byName.get("empty.txt")).toMatchObject({
    status: "failed",
    error: { code: "empty", message: "The file is empty." },
  });
});

test("the same file uploaded twice at once is ingested once", async ({ request }) => {
  const content = `# Sepsis\n\nStart antibiotics within one hour. ${Date.now()}\n`;
  const [a, b] = await Promise.all([
    upload(request, adminKey, [{ name: "sepsis.md", body: content }]),
    upload(request, adminKey, [{ name: "sepsis.md", body: content }]),
  ]);
  const statuses = [a.body.files![0]!.status, b.body.files![0]!.status].sort();
  expect(statuses).toEqual(["queued", "unchanged"]);
  const again = await upload(request, adminKey, [{ name: "sepsis.md", body: content }]);
  expect(again.status).toBe(200);
  expect(again.body.files![0]).toMatchObject({
    status: "unchanged",
    message: "Identical to the current version; not ingested again.",
  });
});

test("restricting a document keeps it from readers outside the group, downloads included; deleting leaves a tombstone", async ({
  request,
}) => {
  const docs = (await call(request, "GET", `/api/collections/${collectionId}/documents`, { key: adminKey })).json as {
    documents: { id: string; name: string }[];
  };
  const doc = docs.documents.find((d) => d.name === "hand-hygiene.md")!;
  const readerDownload = await download(request, doc.id, readerKey);
  expect(readerDownload.status()).toBe(200);
  expect(await readerDownload.text()).toContain("alcohol-based hand rub");
  expect(readerDownload.headers()["content-disposition"]).toMatch(/^attachment/);

  const restricted = await call(request, "PATCH", `/api/documents/${doc.id}`, {
    key: memberKey,
    data: { restrictedTo: [groupName] },
  });
  expect(restricted.json).toEqual({ id: doc.id, restrictedTo: [groupName] });
  expect((await download(request, doc.id, readerKey)).status()).toBe(404);
  expect((await download(request, doc.id, memberKey)).status()).toBe(200);
  // Its very name is hidden from readers outside the group.
  const readerList = (await call(request, "GET", `/api/collections/${collectionId}/documents`, { key: readerKey }))
    .json as { documents: { name: string }[] };
  expect(readerList.documents.map((d) => d.name)).not.toContain("hand-hygiene.md");
  expect(readerList.documents.map((d) => d.name)).toContain("diabetes.pdf");
  expect((await call(request, "GET", `/api/documents/${doc.id}`, { key: readerKey })).res.status()).toBe(404);
  const unknownGroup = await call(request, "PATCH", `/api/documents/${doc.id}`, {
    key: adminKey,
    data: { restrictedTo: ["Ghosts"] },
  });
  expect((unknownGroup.json as { error: { message: string } }).error.message).toBe('No group named "Ghosts".');

  const detail = await call(request, "GET", `/api/documents/${doc.id}`, { key: adminKey });
  expect(detail.json).toMatchObject({
    name: "hand-hygiene.md",
    restrictedTo: [{ name: groupName }],
    versions: [{ versionNumber: 1, status: "ready" }],
  });

  expect((await call(request, "DELETE", `/api/documents/${doc.id}`, { key: readerKey })).res.status()).toBe(403);
  const deleted = await call(request, "DELETE", `/api/documents/${doc.id}`, { key: adminKey });
  expect(deleted.json).toMatchObject({ deleted: true, removedChunks: 1 });
  expect((await download(request, doc.id, memberKey)).status()).toBe(404);
  const listed = (await call(request, "GET", `/api/collections/${collectionId}/documents`, { key: adminKey })).json as {
    documents: { name: string }[];
  };
  expect(listed.documents.map((d) => d.name)).not.toContain("hand-hygiene.md");
});

test("grants are removed, and a collection is deleted only with its name as confirmation", async ({ request }) => {
  const grants = (await call(request, "GET", `/api/collections/${collectionId}/grants`, { key: adminKey })).json as {
    grants: { id: string; role?: string }[];
  };
  const roleGrant = grants.grants.find((g) => g.role === "employee")!;
  expect(
    (
      await call(request, "DELETE", `/api/collections/${collectionId}/grants/${roleGrant.id}`, { key: adminKey })
    ).res.status(),
  ).toBe(204);
  expect((await call(request, "GET", `/api/collections/${collectionId}`, { key: readerKey })).res.status()).toBe(404);

  const unconfirmed = await call(request, "DELETE", `/api/collections/${collectionId}`, { key: adminKey });
  expect(unconfirmed.res.status()).toBe(400);
  expect((unconfirmed.json as { error: { message: string } }).error.message).toMatch(
    /Confirm by sending the collection's exact name as confirm/,
  );
  const wrong = await call(
    request,
    "DELETE",
    `/api/collections/${collectionId}?confirm=${encodeURIComponent("nope")}`,
    { key: adminKey },
  );
  expect(wrong.res.status()).toBe(400);
  expect((await call(request, "GET", `/api/collections/${collectionId}`, { key: adminKey })).res.status()).toBe(200);

  const done = await call(request, "DELETE", `/api/collections/${collectionId}?confirm=${encodeURIComponent(name)}`, {
    key: adminKey,
  });
  expect(done.res.status()).toBe(200);
  expect((done.json as { removedChunks: number }).removedChunks).toBeGreaterThan(10);
  expect((await call(request, "GET", `/api/collections/${collectionId}`, { key: adminKey })).res.status()).toBe(404);
});
