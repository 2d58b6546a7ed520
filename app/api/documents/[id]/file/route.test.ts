import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { setCurrentVersion, updateVersion } from "@/db/queries/documents";
import { CLI_ACTOR } from "@/lib/audit/types";
import { createApiKeyForUser } from "@/lib/auth/api-key-admin";
import { addCollection, addGrant } from "@/lib/collections/admin";
import { acceptUpload } from "@/lib/documents/upload";
import { resetEnvCache } from "@/lib/env";
import { addGroup, addMemberByEmail } from "@/lib/groups/admin";
import { API_POLICY } from "@/lib/server/security-headers";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser } from "@/lib/users/admin";
import { GET } from "./route";

// The original-file download sets its own Content-Security-Policy (`sandbox`: an uploaded HTML
// file must never run script on this origin). The API's security headers are added around it and
// must not replace that policy, which a config-level header once did.

const DB_KEY = Symbol.for("knowledge-qa.database");
let h: DatabaseHandle;
let dataDir: string;
let key: string;
let documentId: string;

beforeAll(async () => {
  h = await createTestDatabase();
  (globalThis as Record<symbol, unknown>)[DB_KEY] = Promise.resolve(h);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-file-route-"));
  process.env.DATA_DIR = dataDir;
  resetEnvCache();
  const ctx = { actor: CLI_ACTOR, db: h.db };
  const reader = await addUser(ctx, {
    email: "reader@f.org",
    name: "Reader",
    roles: ["employee"],
    password: "file route password 1",
  });
  const group = await addGroup(ctx, { name: "Readers", description: "" });
  await addMemberByEmail(ctx, { groupId: group.id, email: "reader@f.org" });
  const collection = await addCollection(ctx, { name: "Web", description: "" });
  await addGrant(ctx, collection.id, { group: "Readers", access: "read" });
  const html = "<html><body><script>document.title='ran'</script>Visiting hours</body></html>";
  const r = await acceptUpload(
    { actor: CLI_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 1 << 20 },
    { collectionId: collection.id, fileName: "visiting.html", bytes: Buffer.from(html) },
  );
  if (r.status !== "queued") throw new Error(JSON.stringify(r));
  await updateVersion(h.db, {
    id: r.versionId,
    status: "ready",
    format: "html",
    text: "Visiting hours",
    pageStarts: [0],
    pageCount: 1,
    processedAt: new Date(),
  });
  await setCurrentVersion(h.db, { documentId: r.documentId, versionId: r.versionId });
  documentId = r.documentId;
  key = (await createApiKeyForUser(ctx, { userId: reader.id, name: "f" })).key;
}, 120_000);

afterAll(async () => {
  delete (globalThis as Record<symbol, unknown>)[DB_KEY];
  delete process.env.DATA_DIR;
  resetEnvCache();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const download = (id: string) =>
  GET(new Request(`http://localhost/api/documents/${id}/file`, { headers: { authorization: `Bearer ${key}` } }), {
    params: Promise.resolve({ id }),
  });

describe("GET /api/documents/:id/file", () => {
  it("keeps its sandbox policy and gains the other security headers", async () => {
    const res = await download(documentId);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<script>");
    expect(res.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin");
    expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("answers an unknown document with the API policy, which allows nothing", async () => {
    const res = await download("00000000-0000-4000-8000-000000000000");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-security-policy")).toBe(API_POLICY);
  });
});
