import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { insertConversation, insertMessage } from "@/db/queries/conversations";
import { replaceRestrictions, setCurrentVersion, updateVersion } from "@/db/queries/documents";
import { apiKeys } from "@/db/schema";
import { CLI_ACTOR } from "@/lib/audit/types";
import { addCollection, addGrant } from "@/lib/collections/admin";
import { acceptUpload } from "@/lib/documents/upload";
import { resetEnvCache } from "@/lib/env";
import { addGroup, addMemberByEmail } from "@/lib/groups/admin";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser, updateUser } from "@/lib/users/admin";
import { createApiKeyForUser, revokeApiKeyById } from "./api-key-admin";
import { PRINCIPALS, ROWS, type Fixture, type Principal } from "@/lib/testing/access-matrix";

// The access-control matrix (issue 12 §3): every method of every route under app/api and app/v1,
// read from the route tree, called through its real handler by each kind of caller, with the
// status each must get; every body that comes back is searched for text the caller may not read.
// A route or method without a row in ./access-matrix.ts fails the first test, naming it.

const DB_KEY = Symbol.for("knowledge-qa.database");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
let h: DatabaseHandle;
let dataDir: string;
const keys = {} as Record<Principal, string | null>;
const f = {} as Fixture;

/** Text only readers of each document hold; a body carrying it to anyone else is a leak. */
const MARK = { open: "MARKOPEN7731", restricted: "MARKRESTRICTED4419", secret: "MARKSECRET9902" };

function routeTree(): { route: string; file: string; methods: string[] }[] {
  const out: { route: string; file: string; methods: string[] }[] = [];
  for (const top of ["api", "v1"]) {
    const base = path.join(process.cwd(), "app", top);
    for (const rel of fs.readdirSync(base, { recursive: true }) as string[]) {
      if (path.basename(rel) !== "route.ts") continue;
      const file = path.join(base, rel);
      const route = `/${top}/${path.dirname(rel)}`.replace(/\/\.$/, "");
      const source = fs.readFileSync(file, "utf8");
      const methods = METHODS.filter((m) => new RegExp(`export (const|async function|function) ${m}\\b`).test(source));
      out.push({ route, file, methods });
    }
  }
  return out.sort((a, b) => a.route.localeCompare(b.route));
}

async function publish(collectionId: string, name: string, text: string) {
  const r = await acceptUpload(
    { actor: CLI_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 1 << 20 },
    { collectionId, fileName: name, bytes: Buffer.from(text) },
  );
  if (r.status !== "queued") throw new Error(JSON.stringify(r));
  await updateVersion(h.db, {
    id: r.versionId,
    status: "ready",
    format: "text",
    text,
    pageStarts: [0],
    pageCount: 1,
    processedAt: new Date(),
  });
  await setCurrentVersion(h.db, { documentId: r.documentId, versionId: r.versionId });
  return { documentId: r.documentId, versionId: r.versionId, jobId: r.jobId };
}

beforeAll(async () => {
  h = await createTestDatabase();
  (globalThis as Record<symbol, unknown>)[DB_KEY] = Promise.resolve(h);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-matrix-"));
  process.env.DATA_DIR = dataDir;
  resetEnvCache();
  const user = async (email: string, roles: ("admin" | "compliance" | "employee")[]) =>
    (
      await addUser(
        { actor: CLI_ACTOR, db: h.db },
        { email, name: email.split("@")[0]!, roles, password: "matrix password 12" },
      )
    ).id;
  f.ids = {
    adminId: await user("admin@m.org", ["admin"]),
    grantedId: await user("granted@m.org", ["employee"]),
    outsiderId: await user("outsider@m.org", ["employee"]),
    noGrantId: await user("nogrant@m.org", ["employee"]),
    complianceId: await user("compliance@m.org", ["compliance"]),
    disabledId: await user("disabled@m.org", ["employee"]),
  } as Fixture["ids"];
  const readers = await addGroup({ actor: CLI_ACTOR, db: h.db }, { name: "Readers", description: "" });
  const ward = await addGroup({ actor: CLI_ACTOR, db: h.db }, { name: "Ward", description: "" });
  for (const email of ["granted@m.org", "outsider@m.org", "disabled@m.org"])
    await addMemberByEmail({ actor: CLI_ACTOR, db: h.db }, { groupId: readers.id, email });
  await addMemberByEmail({ actor: CLI_ACTOR, db: h.db }, { groupId: ward.id, email: "granted@m.org" });
  f.ids.groupId = readers.id;

  f.ids.collectionId = (await addCollection({ actor: CLI_ACTOR, db: h.db }, { name: "Protocols", description: "" })).id;
  const grant = await addGrant({ actor: CLI_ACTOR, db: h.db }, f.ids.collectionId, {
    group: "Readers",
    access: "read",
  });
  f.ids.grantId = grant.id;
  f.ids.secretCollectionId = (
    await addCollection({ actor: CLI_ACTOR, db: h.db }, { name: "Board", description: "" })
  ).id;
  const open = await publish(f.ids.collectionId, "open.txt", `Hand hygiene ${MARK.open} for thirty seconds.`);
  const restricted = await publish(f.ids.collectionId, "ward.txt", `Ward protocol ${MARK.restricted} at night.`);
  await replaceRestrictions(h.db, { documentId: restricted.documentId, groupIds: [ward.id] });
  const secret = await publish(f.ids.secretCollectionId, "board.txt", `Board minutes ${MARK.secret} in camera.`);
  f.docs = { open, restricted, secret };

  const conversation = await insertConversation(h.db, {
    userId: f.ids.grantedId,
    title: "Hand hygiene",
    collectionIds: [f.ids.collectionId],
  });
  f.ids.conversationId = conversation.id;
  f.ids.doomedConversationId = (
    await insertConversation(h.db, { userId: f.ids.grantedId, title: "Old", collectionIds: [f.ids.collectionId] })
  ).id;
  f.ids.messageId = (
    await insertMessage(h.db, { conversationId: conversation.id, role: "assistant", content: "Thirty seconds." })
  ).id;

  const keyOf = async (userId: string) =>
    (await createApiKeyForUser({ actor: CLI_ACTOR, db: h.db }, { userId, name: "m" })).key;
  keys.anonymous = null;
  keys.noGrant = await keyOf(f.ids.noGrantId);
  keys.granted = await keyOf(f.ids.grantedId);
  keys.outsider = await keyOf(f.ids.outsiderId);
  keys.compliance = await keyOf(f.ids.complianceId);
  keys.admin = await keyOf(f.ids.adminId);
  keys.disabled = await keyOf(f.ids.disabledId);
  await updateUser({ actor: CLI_ACTOR, db: h.db }, { userId: f.ids.disabledId, changes: { disabled: true } });
  const revoked = await createApiKeyForUser(
    { actor: CLI_ACTOR, db: h.db },
    { userId: f.ids.grantedId, name: "revoked" },
  );
  await revokeApiKeyById({ actor: CLI_ACTOR, db: h.db }, { id: revoked.apiKey.id });
  keys.revoked = revoked.key;
  const expired = await createApiKeyForUser(
    { actor: CLI_ACTOR, db: h.db },
    { userId: f.ids.grantedId, name: "expired" },
  );
  await h.db
    .update(apiKeys)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(apiKeys.id, expired.apiKey.id));
  keys.expired = expired.key;
});

afterAll(async () => {
  delete (globalThis as Record<symbol, unknown>)[DB_KEY];
  delete process.env.DATA_DIR;
  resetEnvCache();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Which marks a caller may receive: only readers of a document get its text. */
const MAY_READ: Record<Principal, (keyof typeof MARK)[]> = {
  anonymous: [],
  noGrant: [],
  granted: ["open", "restricted"],
  outsider: ["open"],
  compliance: [],
  admin: [],
  disabled: [],
  revoked: [],
  expired: [],
};

describe("access-control matrix", () => {
  it("has a row for every method of every route, and no row for a route that is gone", () => {
    const tree = routeTree().flatMap((r) => r.methods.map((m) => `${m} ${r.route}`));
    expect(
      tree.filter((k) => !(k in ROWS)),
      "routes without a row in lib/auth/access-matrix.ts",
    ).toEqual([]);
    expect(
      Object.keys(ROWS).filter((k) => !tree.includes(k)),
      "rows for routes that do not exist",
    ).toEqual([]);
  });

  for (const { route, file, methods } of routeTree()) {
    for (const method of methods) {
      const key = `${method} ${route}`;
      it(key, async () => {
        const row = ROWS[key];
        if (!row) throw new Error(`no row for ${key}`);
        if ("exempt" in row) return;
        const mod = (await import(/* @vite-ignore */ file)) as Record<
          string,
          (req: Request, ctx: { params: Promise<unknown> }) => Promise<Response>
        >;
        const mismatches: string[] = [];
        // Auth.js reads the session cookie from the request scope Next.js sets up, which a direct
        // call has not; e2e/access-matrix.spec.ts sends the anonymous column to the real server.
        for (const who of PRINCIPALS.filter((p) => p !== "anonymous")) {
          const r = row.request(f);
          const url = `http://localhost${r.path}`;
          const headers: Record<string, string> = {};
          if (keys[who]) headers.authorization = `Bearer ${keys[who]}`;
          if (r.body !== undefined) headers["content-type"] = "application/json";
          const res = await mod[method]!(
            new Request(url, { method, headers, body: r.body === undefined ? undefined : JSON.stringify(r.body) }),
            { params: Promise.resolve(r.params ?? {}) },
          );
          const text = await res.text();
          const want = row.expect[who];
          const got = res.status;
          const passed =
            want === "allowed" ? got < 400 : want === "past-guard" ? ![401, 403].includes(got) : got === want;
          if (!passed) mismatches.push(`${who}: wanted ${want}, got ${got} ${text.slice(0, 160)}`);
          for (const [mark, value] of Object.entries(MARK) as [keyof typeof MARK, string][]) {
            if (text.includes(value) && !MAY_READ[who].includes(mark))
              mismatches.push(`${who}: the body holds the ${mark} document's text`);
          }
          // No secret's hash reaches anyone: neither the fields nor an argon2id PHC string.
          if (/key_?hash|password_?hash|\$argon2id\$/i.test(text)) mismatches.push(`${who}: the body holds a hash`);
        }
        expect(mismatches, key).toEqual([]);
      });
    }
  }
});
