import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { sql } from "drizzle-orm";
import { actorFromSession, actorFromUserId, type Actor } from "@/lib/auth/actor";
import { checkCredentials } from "@/lib/auth/credentials";
import { provisionOidcUser } from "@/lib/auth/oidc";
import { openSession, resolveSession } from "@/lib/auth/sessions";
import { createTestDatabase } from "@/lib/testing/db";
import { TEST_SIGN_IN_POLICY } from "@/lib/testing/sign-in-policy";
import { addUser } from "./admin";
import { changeOwnPassword, replaceOneTimePassword, resetPassword } from "./passwords";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

let h: DatabaseHandle;
let admin: Actor;
let nurse: Actor;
const sessions = { idleMinutes: 30, maxHours: 12 };
const nursePassword = "ledger quartz mariner 7";

async function signIn(email: string, password: string) {
  const check = await checkCredentials(h.db, { email, password }, TEST_SIGN_IN_POLICY);
  if (!check.ok) return null;
  const { id } = await openSession(h.db, { userId: check.userId, method: "credentials" });
  return { sessionId: id, userId: check.userId };
}

async function auditTypes(userId: string) {
  const rows = await queryRows<{ type: string }>(
    h.db,
    sql`select type from audit_events where subject_user_id = ${userId} order by seq`,
  );
  return rows.map((r) => r.type);
}

beforeAll(async () => {
  h = await createTestDatabase();
  const a = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    {
      email: "boss@example.org",
      name: "Boss",
      roles: ["admin", "employee"],
      password: "admin password 1",
    },
  );
  const n = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    {
      email: "nurse@example.org",
      name: "Nurse",
      roles: ["employee"],
      password: nursePassword,
    },
  );
  admin = (await actorFromUserId(h.db, a.id))!;
  nurse = (await actorFromUserId(h.db, n.id))!;
});
afterAll(async () => h.close());

describe("passwords", () => {
  it("refuses a common password when an account is created, saying why", async () => {
    await expect(
      addUser(
        { actor: SYSTEM_ACTOR, db: h.db },
        { email: "weak@example.org", name: "Weak", roles: ["employee"], password: "password1234" },
      ),
    ).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^This password is too easy to guess\./) });
  });

  it("changes one's own password only with the current one, and ends every session including a copied cookie", async () => {
    const ctx = { actor: nurse, db: h.db };
    const session = (await signIn(nurse.email, nursePassword))!;
    await expect(
      changeOwnPassword(ctx, { currentPassword: "not my password", newPassword: "copper lantern orbit 9" }),
    ).rejects.toMatchObject({ status: 400, message: "Your current password is not right." });
    await expect(
      changeOwnPassword(ctx, { currentPassword: nursePassword, newPassword: "qwertyuiop12" }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/too easy to guess/) });
    await expect(
      changeOwnPassword(ctx, { currentPassword: nursePassword, newPassword: nursePassword }),
    ).rejects.toMatchObject({ message: "The new password must differ from the current one." });
    // None of the refusals changed anything.
    expect(await actorFromSession(h.db, session, sessions)).not.toBeNull();

    await changeOwnPassword(ctx, { currentPassword: nursePassword, newPassword: "copper lantern orbit 9" });
    expect(await actorFromSession(h.db, session, sessions)).toBeNull();
    expect(await signIn(nurse.email, nursePassword)).toBeNull();
    expect(await signIn(nurse.email, "copper lantern orbit 9")).not.toBeNull();
    expect(await auditTypes(nurse.id)).toContain("user.password_changed");
    await expect(
      changeOwnPassword(
        { actor: { ...nurse, via: "api_key" }, db: h.db },
        {
          currentPassword: "copper lantern orbit 9",
          newPassword: "granite willow comet 4",
        },
      ),
    ).rejects.toMatchObject({ status: 403 });
  });

  it("lets an administrator reset a password to a one-time one that only opens the form to replace it", async () => {
    const before = (await signIn(nurse.email, "copper lantern orbit 9"))!;
    await expect(resetPassword({ actor: nurse, db: h.db }, { userId: admin.id })).rejects.toMatchObject({
      status: 403,
    });
    await expect(resetPassword({ actor: admin, db: h.db }, { userId: admin.id })).rejects.toMatchObject({
      code: "conflict",
    });
    const { oneTimePassword } = await resetPassword({ actor: admin, db: h.db }, { userId: nurse.id });
    expect(oneTimePassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await actorFromSession(h.db, before, sessions)).toBeNull();
    expect(await signIn(nurse.email, "copper lantern orbit 9")).toBeNull();

    const pending = (await signIn(nurse.email, oneTimePassword))!;
    expect(await resolveSession(h.db, pending, sessions)).toMatchObject({ kind: "pending", step: "change_password" });
    // A pending session is no session to the guards: no actor, so no page, action or API call.
    expect(await actorFromSession(h.db, pending, sessions)).toBeNull();

    await expect(
      replaceOneTimePassword(h.db, { userId: nurse.id, newPassword: oneTimePassword }),
    ).rejects.toMatchObject({ message: "The new password must differ from the current one." });
    await replaceOneTimePassword(h.db, { userId: nurse.id, newPassword: "granite willow comet 4" });
    expect(await resolveSession(h.db, pending, sessions)).toBeNull();
    expect(await signIn(nurse.email, oneTimePassword)).toBeNull();
    const after = (await signIn(nurse.email, "granite willow comet 4"))!;
    expect(await resolveSession(h.db, after, sessions)).toMatchObject({ kind: "active" });
    expect(await auditTypes(nurse.id)).toEqual(
      expect.arrayContaining(["user.password_reset", "user.password_changed"]),
    );
  });

  it("has no password to reset for an account that signs in through SSO", async () => {
    const sso = await provisionOidcUser(h.db, {
      issuer: "https://idp.example",
      subject: "s-1",
      emailVerified: true,
      email: "sso@example.org",
      name: "S",
      roles: ["employee"],
    });
    if (!sso.ok) throw new Error("provisioning failed");
    await expect(resetPassword({ actor: admin, db: h.db }, { userId: sso.userId })).rejects.toMatchObject({
      code: "conflict",
      message: "This account signs in through single sign-on and has no password here.",
    });
  });
});
