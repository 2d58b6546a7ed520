import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { checkCredentials } from "@/lib/auth/credentials";
import { TEST_SIGN_IN_POLICY } from "@/lib/testing/sign-in-policy";
import { closeSignInFailureWindows } from "@/lib/auth/sign-in-failures";
import { createApiKeyForUser, revokeApiKeyById } from "@/lib/auth/api-key-admin";
import { addCollection, addGrant, removeGrant } from "@/lib/collections/admin";
import { acceptUpload } from "@/lib/documents/upload";
import { addGroup, addMemberByEmail } from "@/lib/groups/admin";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser, updateUser } from "@/lib/users/admin";
import { readablePayload, eventView } from "./rows";
import { verifyChain } from "./verify";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// The features record what they change, with who did it, in the same transaction.

const policy = TEST_SIGN_IN_POLICY;

let h: DatabaseHandle;
let dataDir: string;
const admin = { id: null as string | null, email: "root@example.org", via: "session" as const };

beforeAll(async () => {
  h = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-events-"));
  admin.id = (
    await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      { email: admin.email, name: "Root", roles: ["admin"], password: "root password 1" },
    )
  ).id;
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function latest(type: string) {
  const [row] = await listAuditEvents(h.db, { query: { types: [type] }, limit: 1 });
  return row ? { ...eventView(row), readable: readablePayload(eventView(row)) } : null;
}

describe("audited features", () => {
  it("records user, group, grant, API-key and document changes with their actor", async () => {
    const nurse = await addUser(
      { actor: admin, db: h.db },
      { email: "nurse@example.org", name: "Nurse", roles: ["employee"], password: "nurse password 1" },
    );
    expect(await latest("user.created")).toMatchObject({
      actorId: admin.id,
      actorEmail: admin.email,
      subject: { userId: nurse.id },
      payload: { email: "nurse@example.org", roles: ["employee"], via: "session" },
    });
    expect(JSON.stringify(await latest("user.created"))).not.toMatch(/argon2|nurse password/);

    await updateUser({ actor: admin, db: h.db }, { userId: nurse.id, changes: { roles: ["compliance", "employee"] } });
    expect(await latest("user.roles_changed")).toMatchObject({
      payload: { before: ["employee"], after: ["compliance", "employee"] },
    });
    await updateUser({ actor: admin, db: h.db }, { userId: nurse.id, changes: { disabled: true } });
    expect(await latest("user.disabled")).toMatchObject({ subject: { userId: nurse.id } });
    await updateUser({ actor: admin, db: h.db }, { userId: nurse.id, changes: { disabled: false } });

    const group = await addGroup({ actor: admin, db: h.db }, { name: "Ward 7", description: "" });
    await addMemberByEmail({ actor: admin, db: h.db }, { groupId: group.id, email: "nurse@example.org" });
    expect(await latest("group.member_added")).toMatchObject({
      payload: { group: "Ward 7", email: "nurse@example.org" },
    });

    const { id: collectionId } = await addCollection(
      { actor: admin, db: h.db },
      { name: "Protocols", description: "" },
    );
    const grant = await addGrant({ actor: admin, db: h.db }, collectionId, { group: "Ward 7", access: "read" });
    await addGrant({ actor: admin, db: h.db }, collectionId, { group: "Ward 7", access: "manage" });
    expect(await latest("grant.changed")).toMatchObject({
      subject: { collectionId },
      payload: { group: "Ward 7", access: "manage", previousAccess: "read" },
    });
    await removeGrant({ actor: admin, db: h.db }, collectionId, grant.id);
    expect(await latest("grant.removed")).toMatchObject({ payload: { collection: "Protocols", access: "manage" } });

    // A person makes keys for themselves only.
    const self = { actor: { id: nurse.id, email: nurse.email, via: "session" as const }, db: h.db };
    const { apiKey, key } = await createApiKeyForUser(self, { userId: nurse.id, name: "script" });
    // The secret is everything after "kq_<prefix>_" (base64url, so it may hold "_" itself).
    const secret = key.slice(`kq_${apiKey.prefix}_`.length);
    expect(secret.length).toBeGreaterThan(20);
    expect(JSON.stringify(await latest("apikey.created"))).not.toContain(secret);
    await revokeApiKeyById(self, { id: apiKey.id });
    expect(await latest("apikey.revoked")).toMatchObject({ payload: { prefix: apiKey.prefix } });

    const upload = await acceptUpload(
      { actor: admin, db: h.db },
      { dataDir, maxUploadBytes: 1e6 },
      { collectionId, fileName: "sepsis.md", bytes: new TextEncoder().encode("# Sepsis\nAct fast.") },
    );
    expect(upload.status).toBe("queued");
    expect(await latest("document.uploaded")).toMatchObject({
      subject: { collectionId },
      payload: { name: "sepsis.md", versionNumber: 1, newDocument: true, collection: "Protocols" },
    });
    // Filtering by the collection finds its upload and its grants.
    const inCollection = await listAuditEvents(h.db, { query: { collectionId }, limit: 50 });
    expect(inCollection.map((r) => r.type)).toEqual(
      expect.arrayContaining([
        "collection.created",
        "grant.added",
        "grant.changed",
        "grant.removed",
        "document.uploaded",
      ]),
    );
    expect((await verifyChain(h.db)).ok).toBe(true);
  });

  it("records sign-ins and refused sign-ins, naming the reason only to compliance", async () => {
    await checkCredentials(h.db, { email: "nurse@example.org", password: "nurse password 1", address: null }, policy);
    expect(await latest("auth.sign_in")).toMatchObject({
      actorEmail: "nurse@example.org",
      payload: { method: "credentials" },
    });
    await checkCredentials(h.db, { email: "nurse@example.org", password: "wrong", address: null }, policy);
    await checkCredentials(h.db, { email: "ghost@example.org", password: "wrong", address: null }, policy);
    // Failures are written per account and window, once the window has closed.
    await closeSignInFailureWindows(h.db, { windowMinutes: 15, now: new Date(Date.now() + 16 * 60_000) });
    const failed = await listAuditEvents(h.db, { query: { types: ["auth.sign_in_failed"] }, limit: 2 });
    expect(failed.map(eventView)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          payload: expect.objectContaining({ reason: "wrong_password", email: "nurse@example.org" }),
        }),
        expect.objectContaining({ actorId: null, payload: expect.objectContaining({ reason: "unknown_email" }) }),
      ]),
    );
    expect(JSON.stringify(await latest("auth.sign_in_failed"))).not.toContain("wrong");
  });

  it("fails the change when its audit record cannot be written, and leaves nothing behind", async () => {
    await h.db.execute(
      sql`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit storage unavailable'; end $$`,
    );
    await h.db.execute(
      sql`create trigger refuse_audit before insert on audit_events for each row execute function refuse_audit()`,
    );
    try {
      await expect(addGroup({ actor: admin, db: h.db }, { name: "Ghost ward", description: "" })).rejects.toThrow();
      await expect(
        addUser(
          { actor: admin, db: h.db },
          { email: "ghost2@example.org", name: "G", roles: ["employee"], password: "ghost password 1" },
        ),
      ).rejects.toThrow();
      expect(await queryRows(h.db, sql`select 1 from groups where name = 'Ghost ward'`)).toHaveLength(0);
      expect(await queryRows(h.db, sql`select 1 from users where email = 'ghost2@example.org'`)).toHaveLength(0);
      // Nor is a sign-in let through unrecorded.
      await expect(
        checkCredentials(h.db, { email: "nurse@example.org", password: "nurse password 1", address: null }, policy),
      ).rejects.toThrow();
    } finally {
      await h.db.execute(sql`drop trigger refuse_audit on audit_events`);
    }
  });
});
