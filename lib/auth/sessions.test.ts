import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { createUser, replaceUserRoles, setUserDisabled, setUserPasswordHash } from "@/db/queries/users";
import { getUserSession } from "@/db/queries/sessions";
import { createTestDatabase } from "@/lib/testing/db";
import { actorFromSession } from "./actor";
import { provisionOidcUser } from "./oidc";
import { hashPassword } from "./password";
import { closeSession, openSession, type SessionPolicy } from "./sessions";

// What the guards do with a session cookie (guards.ts → actorFromSession): each event that should
// end a session is applied, then the cookie's session id is presented again, as an attacker
// holding a copy of the cookie would.

let h: DatabaseHandle;
let userId: string;
let otherId: string;
const policy: SessionPolicy = { idleMinutes: 30, maxHours: 12 };
const minutes = (n: number) => n * 60_000;

beforeAll(async () => {
  h = await createTestDatabase();
  const hash = await hashPassword("correct horse battery staple");
  userId = (await createUser(h.db, { email: "nurse@example.org", name: "N", roles: ["employee"], passwordHash: hash }))
    .id;
  otherId = (await createUser(h.db, { email: "other@example.org", name: "O", roles: ["employee"], passwordHash: hash }))
    .id;
});
afterAll(async () => h.close());

async function signIn(id = userId) {
  return (await openSession(h.db, { userId: id, method: "credentials" })).id;
}

describe("server-side sessions", () => {
  let sessionId: string;
  beforeEach(async () => {
    await setUserDisabled(h.db, { userId, disabled: false });
    sessionId = await signIn();
    expect(await actorFromSession(h.db, { sessionId, userId }, policy)).toMatchObject({ id: userId });
  });

  it("ends the signed-out session and only that one", async () => {
    const elsewhere = await signIn();
    await closeSession(h.db, sessionId);
    expect(await actorFromSession(h.db, { sessionId, userId }, policy)).toBeNull();
    expect(await actorFromSession(h.db, { sessionId: elsewhere, userId }, policy)).toMatchObject({ id: userId });
    expect((await getUserSession(h.db, { id: sessionId, userId }))?.endReason).toBe("sign_out");
  });

  it("ends every session of the user at a password change or reset, and no one else's", async () => {
    const other = await signIn(otherId);
    const elsewhere = await signIn();
    await setUserPasswordHash(h.db, { userId, passwordHash: await hashPassword("a new long passphrase") });
    expect(await actorFromSession(h.db, { sessionId, userId }, policy)).toBeNull();
    expect(await actorFromSession(h.db, { sessionId: elsewhere, userId }, policy)).toBeNull();
    expect(await actorFromSession(h.db, { sessionId: other, userId: otherId }, policy)).toMatchObject({ id: otherId });

    const next = await signIn();
    await setUserPasswordHash(h.db, {
      userId,
      passwordHash: await hashPassword("one time password x"),
      mustChange: true,
      reason: "password_reset",
    });
    expect(await actorFromSession(h.db, { sessionId: next, userId }, policy)).toBeNull();
    expect((await getUserSession(h.db, { id: next, userId }))?.endReason).toBe("password_reset");
    // The person chooses their own password; the other tests go on with a complete sign-in.
    await setUserPasswordHash(h.db, { userId, passwordHash: await hashPassword("a chosen long passphrase") });
  });

  it("ends sessions when the account is disabled, and enabling it again does not revive them", async () => {
    await setUserDisabled(h.db, { userId, disabled: true });
    expect(await actorFromSession(h.db, { sessionId, userId }, policy)).toBeNull();
    await setUserDisabled(h.db, { userId, disabled: false });
    expect(await actorFromSession(h.db, { sessionId, userId }, policy)).toBeNull();
  });

  it("ends sessions at a role change, not at a save that changes nothing", async () => {
    await replaceUserRoles(h.db, { userId, roles: ["employee"] });
    expect(await actorFromSession(h.db, { sessionId, userId }, policy)).toMatchObject({ roles: ["employee"] });
    await replaceUserRoles(h.db, { userId, roles: ["compliance", "employee"] });
    expect(await actorFromSession(h.db, { sessionId, userId }, policy)).toBeNull();
    const again = await signIn();
    await replaceUserRoles(h.db, { userId, roles: ["employee"] });
    expect(await actorFromSession(h.db, { sessionId: again, userId }, policy)).toBeNull();
  });

  it("ends an SSO user's sessions when the identity provider's roles change at the next sign-in", async () => {
    const first = await provisionOidcUser(h.db, {
      issuer: "https://idp.example",
      subject: "sub-1",
      emailVerified: true,
      email: "sso@example.org",
      name: "S",
      roles: ["employee"],
    });
    if (!first.ok) throw new Error("provisioning failed");
    const sso = (await openSession(h.db, { userId: first.userId, method: "oidc" })).id;
    const same = {
      issuer: "https://idp.example",
      subject: "sub-1",
      emailVerified: true,
      email: "sso@example.org",
      name: "S",
    };
    await provisionOidcUser(h.db, { ...same, roles: ["employee"] });
    expect(await actorFromSession(h.db, { sessionId: sso, userId: first.userId }, policy)).not.toBeNull();
    await provisionOidcUser(h.db, { ...same, roles: ["admin"] });
    expect(await actorFromSession(h.db, { sessionId: sso, userId: first.userId }, policy)).toBeNull();
  });

  it("logs off after the idle time, and keeps an active session alive until the absolute limit", async () => {
    const start = Date.now();
    const at = (ms: number) => new Date(start + ms);
    expect(await actorFromSession(h.db, { sessionId, userId }, policy, at(minutes(29)))).not.toBeNull();
    // Used at minute 29, so minute 58 is 29 minutes idle.
    expect(await actorFromSession(h.db, { sessionId, userId }, policy, at(minutes(58)))).not.toBeNull();
    expect(await actorFromSession(h.db, { sessionId, userId }, policy, at(minutes(88)))).toBeNull();
    expect((await getUserSession(h.db, { id: sessionId, userId }))?.endReason).toBe("idle");
    // Coming back within the idle time again does not reopen it.
    expect(await actorFromSession(h.db, { sessionId, userId }, policy, at(minutes(60)))).toBeNull();

    const busy = await signIn();
    let t = 0;
    for (; t < minutes(12 * 60); t += minutes(20)) {
      expect(await actorFromSession(h.db, { sessionId: busy, userId }, policy, at(t))).not.toBeNull();
    }
    // Last used at 11 h 40 min, so 12 h 1 min is within the idle time but past the absolute limit.
    expect(await actorFromSession(h.db, { sessionId: busy, userId }, policy, at(minutes(12 * 60 + 1)))).toBeNull();
    expect((await getUserSession(h.db, { id: busy, userId }))?.endReason).toBe("expired");
  });

  it("refuses a session id presented with another user's id, and ids that are not ids", async () => {
    expect(await actorFromSession(h.db, { sessionId, userId: otherId }, policy)).toBeNull();
    expect(await actorFromSession(h.db, { sessionId: "not-a-uuid", userId }, policy)).toBeNull();
    expect(
      await actorFromSession(h.db, { sessionId: "00000000-0000-4000-8000-000000000000", userId }, policy),
    ).toBeNull();
  });
});
