import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { Secret } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { getUserMfa } from "@/db/queries/mfa";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { checkCredentials } from "@/lib/auth/credentials";
import { CLI_ACTOR } from "@/lib/audit/types";
import { rotateKeys } from "@/lib/crypto/rotation";
import { resetEnvCache } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { TEST_SIGN_IN_POLICY } from "@/lib/testing/sign-in-policy";
import { addUser } from "@/lib/users/admin";
import {
  confirmMfaEnrolment,
  disableOwnMfa,
  mfaStatusOf,
  passSecondFactor,
  pendingEnrolmentOf,
  regenerateRecoveryCodes,
  resetMfa,
  startMfaEnrolment,
} from "./mfa";
import { closeSignInFailuresOf } from "./sign-in-failures";
import { openSession, resolveSession, type SessionPolicy } from "./sessions";
import { totpCodeAt } from "./totp";

// The verbs of two-step sign-in against a real database and the real key-encryption key, with
// codes computed from the secret the set-up page shows, as an authenticator app would.

let h: DatabaseHandle;
let dataDir: string;
const password = "ledger quartz mariner 7";
const policy: SessionPolicy = { idleMinutes: 30, maxHours: 12, mfaRequiredRoles: ["admin", "compliance"] };
const address = "192.0.2.10";

async function person(label: string, roles: ("admin" | "compliance" | "employee")[]): Promise<Actor> {
  const u = await addUser(
    { actor: CLI_ACTOR, db: h.db },
    { email: `${label}@example.org`, name: label, roles, password },
  );
  return (await actorFromUserId(h.db, u.id))!;
}

/** Starts a set-up and returns the secret's bytes from what the page would show. */
async function startAndReadSecret(actor: Actor): Promise<Uint8Array> {
  await startMfaEnrolment({ actor, db: h.db });
  const shown = await pendingEnrolmentOf(h.db, actor);
  expect(shown!.uri).toMatch(/^otpauth:\/\/totp\//);
  return new Uint8Array(Secret.fromBase32(shown!.secret.replace(/\s+/g, "")).buffer);
}

async function enrol(actor: Actor) {
  const secret = await startAndReadSecret(actor);
  const { recoveryCodes } = await confirmMfaEnrolment(
    { actor, db: h.db },
    { code: totpCodeAt(secret, new Date()), address, sessionId: null },
    TEST_SIGN_IN_POLICY,
  );
  return { secret, recoveryCodes };
}

/** The password step, as the sign-in form runs it; returns the session it opens. */
async function passwordSignIn(actor: Actor) {
  const check = await checkCredentials(h.db, { email: actor.email, password, address }, TEST_SIGN_IN_POLICY);
  if (!check.ok) throw new Error(`password sign-in failed: ${check.reason}`);
  const { id } = await openSession(h.db, { userId: actor.id, method: "credentials" });
  return { sessionId: id, userId: actor.id };
}

async function auditOf(userId: string, type: string) {
  return queryRows<{ payload: Record<string, unknown> }>(
    h.db,
    sql`select payload from audit_events where subject_user_id = ${userId} and type = ${type} order by seq`,
  );
}

const second = (actor: Actor, sessionId: string, code: string) =>
  passSecondFactor({ actor, db: h.db }, { code, address, sessionId }, TEST_SIGN_IN_POLICY);

beforeAll(async () => {
  h = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-mfa-"));
  process.env.DATA_DIR = dataDir;
  resetEnvCache();
});
afterAll(async () => {
  await h.close();
  delete process.env.DATA_DIR;
  resetEnvCache();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("setting up two-step sign-in", () => {
  it("keeps the secret sealed at rest and switches on only with a real code", async () => {
    const nurse = await person("nurse", ["employee"]);
    const secret = await startAndReadSecret(nurse);
    const row = (await getUserMfa(h.db, { userId: nurse.id }))!;
    const base32 = new Secret({ buffer: Uint8Array.from(secret).buffer }).base32;
    expect(row.secret).toMatch(/^[0-9a-f]{16}:[A-Za-z0-9+/=]+$/);
    expect(row.secret).not.toContain(base32);
    expect(row.secret).not.toContain(Buffer.from(secret).toString("base64"));
    // Copied onto another account's row, the sealed secret does not open: it is bound to its user.
    const other = await person("other", ["employee"]);
    await startMfaEnrolment({ actor: other, db: h.db });
    await h.db.execute(sql`update user_mfa set secret = ${row.secret} where user_id = ${other.id}`);
    await expect(pendingEnrolmentOf(h.db, other)).rejects.toThrow(/integrity check/);
    await h.db.execute(sql`delete from user_mfa where user_id = ${other.id}`);

    const wrong = totpCodeAt(secret, new Date(Date.now() - 10 * 60_000));
    await expect(
      confirmMfaEnrolment({ actor: nurse, db: h.db }, { code: wrong, address, sessionId: null }, TEST_SIGN_IN_POLICY),
    ).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^That code is not right/) });
    expect((await mfaStatusOf(h.db, nurse.id)).enabled).toBe(false);

    const { recoveryCodes } = await confirmMfaEnrolment(
      { actor: nurse, db: h.db },
      { code: totpCodeAt(secret, new Date()), address, sessionId: null },
      TEST_SIGN_IN_POLICY,
    );
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await mfaStatusOf(h.db, nurse.id)).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
    // Once on, the secret is never shown again.
    expect(await pendingEnrolmentOf(h.db, nurse)).toBeNull();
    await expect(startMfaEnrolment({ actor: nurse, db: h.db })).rejects.toMatchObject({ status: 409 });
    const stored = await queryRows<{ code_hash: string }>(
      h.db,
      sql`select code_hash from mfa_recovery_codes where user_id = ${nurse.id}`,
    );
    const normalised = recoveryCodes.map((c) => c.replace(/-/g, ""));
    for (const r of stored) expect(normalised.some((c) => r.code_hash.includes(c))).toBe(false);
    expect(await auditOf(nurse.id, "auth.mfa_enrolled")).toHaveLength(1);
  });
});

describe("signing in with a second factor", () => {
  it("asks for a code after the password, refuses a wrong or reused one, and a recovery code works once", async () => {
    const clerk = await person("clerk", ["employee"]);
    const { secret, recoveryCodes } = await enrol(clerk);

    const first = await passwordSignIn(clerk);
    expect(await resolveSession(h.db, first, policy)).toMatchObject({ kind: "pending", step: "mfa" });
    await expect(second(clerk, first.sessionId, "000000")).rejects.toMatchObject({
      message: expect.stringMatching(/^That code is not right/),
    });
    // The code that confirmed the set-up has been used: the same step is never taken twice.
    await expect(second(clerk, first.sessionId, totpCodeAt(secret, new Date()))).rejects.toMatchObject({
      message: "This code has already been used. Wait for the next code from your app.",
    });
    expect(await resolveSession(h.db, first, policy)).toMatchObject({ kind: "pending", step: "mfa" });
    // The next step's code (a phone clock half a minute ahead) is inside the window.
    const next = totpCodeAt(secret, new Date(Date.now() + 30_000));
    await expect(second(clerk, first.sessionId, next)).resolves.toMatchObject({ method: "totp" });
    expect(await resolveSession(h.db, first, policy)).toMatchObject({ kind: "active" });

    const other = await passwordSignIn(clerk);
    await expect(second(clerk, other.sessionId, next)).rejects.toMatchObject({
      message: expect.stringMatching(/already been used/),
    });
    const code = recoveryCodes[3]!;
    await expect(second(clerk, other.sessionId, code.toUpperCase())).resolves.toEqual({
      method: "recovery_code",
      recoveryCodesLeft: 9,
    });
    expect(await resolveSession(h.db, other, policy)).toMatchObject({ kind: "active" });
    expect(await auditOf(clerk.id, "auth.mfa_recovery_code_used")).toEqual([
      { payload: { method: "recovery_code", remaining: 9 } },
    ]);

    const third = await passwordSignIn(clerk);
    await expect(second(clerk, third.sessionId, code)).rejects.toMatchObject({ status: 400 });
    expect(await resolveSession(h.db, third, policy)).toMatchObject({ kind: "pending", step: "mfa" });
  });

  it("counts wrong codes in the sign-in throttle, which a correct password does not reset, and audits them in aggregate", async () => {
    const porter = await person("porter", ["employee"]);
    const { secret } = await enrol(porter);
    const s = await passwordSignIn(porter);
    for (let i = 0; i < TEST_SIGN_IN_POLICY.freeFailures; i++) {
      await expect(second(porter, s.sessionId, String(100000 + i))).rejects.toMatchObject({ status: 400 });
    }
    // Past the free failures even the right code waits, and signing in with the password again buys nothing.
    const right = totpCodeAt(secret, new Date(Date.now() + 30_000));
    await passwordSignIn(porter);
    await expect(second(porter, s.sessionId, right)).rejects.toMatchObject({
      status: 429,
      message: expect.stringMatching(/^Too many wrong codes\. Try again in \d+ seconds?\.$/),
    });
    expect(await resolveSession(h.db, s, policy)).toMatchObject({ kind: "pending", step: "mfa" });

    await closeSignInFailuresOf(h.db, porter.id);
    const failed = await queryRows<{ payload: { count: number; reasons: Record<string, number> } }>(
      h.db,
      sql`select payload from audit_events where actor_id = ${porter.id} and type = 'auth.sign_in_failed'`,
    );
    // One event per window, not per code: the password sign-in in between closed the first window.
    expect(failed.map((f) => f.payload.reasons)).toEqual([
      { wrong_code: TEST_SIGN_IN_POLICY.freeFailures },
      { throttled: 1 },
    ]);
    expect(failed.map((f) => f.payload.count)).toEqual([TEST_SIGN_IN_POLICY.freeFailures, 1]);
  });
});

describe("MFA_REQUIRED_ROLES", () => {
  it("holds a password session of a required role at set-up, and nobody else", async () => {
    const boss = await person("boss", ["admin"]);
    const auditor = await person("auditor", ["compliance"]);
    const helper = await person("helper", ["employee"]);
    const bossSession = await passwordSignIn(boss);
    expect(await resolveSession(h.db, bossSession, policy)).toMatchObject({ kind: "pending", step: "enrol_mfa" });
    expect(await resolveSession(h.db, await passwordSignIn(auditor), policy)).toMatchObject({ step: "enrol_mfa" });
    expect(await resolveSession(h.db, await passwordSignIn(helper), policy)).toMatchObject({ kind: "active" });
    // An empty list requires nobody; an SSO session is the identity provider's business.
    expect(await resolveSession(h.db, bossSession, { ...policy, mfaRequiredRoles: [] })).toMatchObject({
      kind: "active",
    });
    const sso = await openSession(h.db, { userId: boss.id, method: "oidc" });
    expect(await resolveSession(h.db, { sessionId: sso.id, userId: boss.id }, policy)).toMatchObject({
      kind: "active",
    });

    // Setting it up in the held session finishes that session's sign-in; other sessions must show a code.
    const secret = await startAndReadSecret(boss);
    await confirmMfaEnrolment(
      { actor: boss, db: h.db },
      { code: totpCodeAt(secret, new Date()), address, sessionId: bossSession.sessionId },
      TEST_SIGN_IN_POLICY,
    );
    expect(await resolveSession(h.db, bossSession, policy)).toMatchObject({ kind: "active" });
    expect(await resolveSession(h.db, await passwordSignIn(boss), policy)).toMatchObject({ step: "mfa" });
  });
});

describe("switching off, regenerating and resetting", () => {
  it("switches off only with the password and a code; new recovery codes replace the old", async () => {
    const medic = await person("medic", ["employee"]);
    const { secret, recoveryCodes } = await enrol(medic);
    const soon = new Date(Date.now() + 30_000);
    const { recoveryCodes: fresh } = await regenerateRecoveryCodes(
      { actor: medic, db: h.db },
      { code: totpCodeAt(secret, soon), address },
      TEST_SIGN_IN_POLICY,
    );
    expect(fresh).toHaveLength(10);
    const s = await passwordSignIn(medic);
    await expect(second(medic, s.sessionId, recoveryCodes[0]!)).rejects.toMatchObject({ status: 400 });

    await expect(
      disableOwnMfa({ actor: medic, db: h.db }, { password: "not it", code: fresh[0]!, address }, TEST_SIGN_IN_POLICY),
    ).rejects.toMatchObject({ message: "Your password is not right." });
    await expect(
      disableOwnMfa({ actor: medic, db: h.db }, { password, code: "123456", address }, TEST_SIGN_IN_POLICY),
    ).rejects.toMatchObject({ status: 400 });
    expect((await mfaStatusOf(h.db, medic.id)).enabled).toBe(true);
    await disableOwnMfa({ actor: medic, db: h.db }, { password, code: fresh[0]!, address }, TEST_SIGN_IN_POLICY);
    expect(await mfaStatusOf(h.db, medic.id)).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    expect(await auditOf(medic.id, "auth.mfa_disabled")).toHaveLength(1);
    expect(await resolveSession(h.db, await passwordSignIn(medic), policy)).toMatchObject({ kind: "active" });
  });

  it("an administrator's reset removes the factor and ends the person's sessions", async () => {
    const chief = await person("chief", ["admin"]);
    const nurse2 = await person("nurse2", ["employee"]);
    const { secret } = await enrol(nurse2);
    const s = await passwordSignIn(nurse2);
    await second(nurse2, s.sessionId, totpCodeAt(secret, new Date(Date.now() + 30_000)));
    await expect(resetMfa({ actor: nurse2, db: h.db }, { userId: nurse2.id })).rejects.toMatchObject({ status: 403 });
    await expect(resetMfa({ actor: chief, db: h.db }, { userId: chief.id })).rejects.toMatchObject({ status: 409 });
    await expect(resetMfa({ actor: chief, db: h.db }, { userId: nurse2.id })).resolves.toEqual({ sessionsEnded: 1 });
    expect(await resolveSession(h.db, s, policy)).toBeNull();
    expect(await mfaStatusOf(h.db, nurse2.id)).toMatchObject({ enabled: false, pending: false });
    expect(await auditOf(nurse2.id, "auth.mfa_reset")).toEqual([
      { payload: { via: "session", email: nurse2.email, sessionsEnded: 1 } },
    ]);
    await expect(resetMfa({ actor: chief, db: h.db }, { userId: nurse2.id })).rejects.toMatchObject({ status: 409 });
  });

  it("key rotation re-seals the secrets, and codes still check", async () => {
    const keeper = await person("keeper", ["employee"]);
    const { secret } = await enrol(keeper);
    const before = (await getUserMfa(h.db, { userId: keeper.id }))!.secret;
    const r = await rotateKeys({ actor: CLI_ACTOR, db: h.db }, { dataDir });
    expect(r.mfaSecrets).toBeGreaterThanOrEqual(1);
    const after = (await getUserMfa(h.db, { userId: keeper.id }))!.secret;
    expect(after.split(":")[0]).toBe(r.to);
    expect(after).not.toBe(before);
    const s = await passwordSignIn(keeper);
    await expect(second(keeper, s.sessionId, totpCodeAt(secret, new Date(Date.now() + 30_000)))).resolves.toMatchObject(
      { method: "totp" },
    );
  });
});
