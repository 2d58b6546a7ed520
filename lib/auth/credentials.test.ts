import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser, updateUser } from "@/lib/users/admin";
import { checkCredentials, credentialFailureMessage } from "./credentials";

const policy = { maxFailures: 3, lockoutMinutes: 15 };
let h: DatabaseHandle;
let userId: string;

beforeAll(async () => {
  h = await createTestDatabase();
  const u = await addUser(h.db, {
    email: "Nurse@Example.org",
    name: "Nurse",
    roles: ["employee"],
    password: "correct horse battery",
  });
  userId = u.id;
});
afterAll(async () => h.close());
beforeEach(async () => {
  await h.db.execute(sql`delete from login_throttle`);
});

describe("checkCredentials", () => {
  it("accepts the right password, case-insensitively on the email", async () => {
    const r = await checkCredentials(
      h.db,
      { email: "  nurse@EXAMPLE.org ", password: "correct horse battery" },
      policy,
    );
    expect(r).toEqual({ ok: true, userId });
  });

  it("gives the same answer for an unknown email and a wrong password", async () => {
    const wrong = await checkCredentials(h.db, { email: "nurse@example.org", password: "nope nope nope" }, policy);
    const unknown = await checkCredentials(h.db, { email: "ghost@example.org", password: "nope nope nope" }, policy);
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    expect(unknown).toEqual({ ok: false, reason: "invalid" });
    expect(credentialFailureMessage(wrong as never)).toBe(credentialFailureMessage(unknown as never));
  });

  it("takes comparable time for an unknown email and a wrong password", async () => {
    const time = async (email: string) => {
      const t = performance.now();
      await checkCredentials(
        h.db,
        { email, password: "wrong password here" },
        { maxFailures: 1000, lockoutMinutes: 1 },
      );
      return performance.now() - t;
    };
    // Warm up the dummy hash, then compare medians.
    await time("ghost@example.org");
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time("nurse@example.org"));
      unknown.push(await time(`ghost${i}@example.org`));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Both paths verify an argon2 hash; skipping it for unknown users would make them ~100x faster.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });

  it("locks an email after repeated failures, whether or not the account exists", async () => {
    for (const email of ["nurse@example.org", "ghost@example.org"]) {
      for (let i = 0; i < policy.maxFailures - 1; i++) {
        expect(await checkCredentials(h.db, { email, password: "bad password!" }, policy)).toEqual({
          ok: false,
          reason: "invalid",
        });
      }
      const locked = await checkCredentials(h.db, { email, password: "bad password!" }, policy);
      expect(locked).toMatchObject({ ok: false, reason: "locked" });
      // Even the right password is refused while locked.
      const after = await checkCredentials(h.db, { email, password: "correct horse battery" }, policy);
      expect(after.ok).toBe(false);
      expect(credentialFailureMessage(after as never)).toMatch(
        /Too many failed sign-in attempts\. Try again in 15 minutes\./,
      );
    }
  });

  it("unlocks once the lockout has passed, and a success clears the count", async () => {
    const now = new Date();
    for (let i = 0; i < policy.maxFailures; i++) {
      await checkCredentials(h.db, { email: "nurse@example.org", password: "bad password!" }, policy, now);
    }
    const later = new Date(now.getTime() + 16 * 60_000);
    expect(
      await checkCredentials(h.db, { email: "nurse@example.org", password: "correct horse battery" }, policy, later),
    ).toEqual({ ok: true, userId });
    // The counter restarted: two more failures do not lock.
    for (let i = 0; i < policy.maxFailures - 1; i++) {
      expect(await checkCredentials(h.db, { email: "nurse@example.org", password: "bad" }, policy, later)).toEqual({
        ok: false,
        reason: "invalid",
      });
    }
  });

  it("counts concurrent failures without losing any", async () => {
    await Promise.all(
      Array.from({ length: 6 }, () =>
        checkCredentials(h.db, { email: "burst@example.org", password: "x" }, { maxFailures: 100, lockoutMinutes: 5 }),
      ),
    );
    const rows = await queryRows<{ failures: number }>(
      h.db,
      sql`select failures from login_throttle where key = 'burst@example.org'`,
    );
    expect(rows[0]?.failures).toBe(6);
  });

  it("tells a disabled user so only after the right password", async () => {
    const admin = await addUser(h.db, {
      email: "boss@example.org",
      name: "Boss",
      roles: ["admin"],
      password: "boss password 123",
    });
    await updateUser(h.db, { userId, changes: { disabled: true }, actorId: admin.id });
    expect(
      await checkCredentials(h.db, { email: "nurse@example.org", password: "correct horse battery" }, policy),
    ).toEqual({ ok: false, reason: "disabled" });
    expect(await checkCredentials(h.db, { email: "nurse@example.org", password: "wrong one" }, policy)).toEqual({
      ok: false,
      reason: "invalid",
    });
    await updateUser(h.db, { userId, changes: { disabled: false } });
  });
});
