import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser, updateUser } from "@/lib/users/admin";
import { checkCredentials, credentialFailureMessage, type CredentialCheck, type SignInPolicy } from "./credentials";
import { issueDeviceCookie } from "./device-cookie";
import { SYSTEM_ACTOR, asUser } from "@/lib/testing/actors";

const policy: SignInPolicy = {
  freeFailures: 3,
  accountFreeFailures: 6,
  addressFreeFailures: 8,
  maxDelaySeconds: 60,
  auditWindowMinutes: 15,
  deviceSecret: "device-cookie-secret-for-tests-0123456789",
};
const PASSWORD = "correct horse battery";
let h: DatabaseHandle;
let userId: string;

beforeAll(async () => {
  h = await createTestDatabase();
  const u = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "Nurse@Example.org", name: "Nurse", roles: ["employee"], password: PASSWORD },
  );
  userId = u.id;
});
afterAll(async () => h.close());
beforeEach(async () => {
  await h.db.execute(sql`delete from rate_limits`);
  vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-02T09:00:00Z") });
});
afterEach(() => vi.useRealTimers());

const later = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

function attempt(email: string, password: string, address: string | null = "198.51.100.7", deviceCookie?: string) {
  return checkCredentials(h.db, { email, password, address, deviceCookie }, policy);
}

async function failTimes(n: number, email: string, address: string | null, deviceCookie?: string) {
  for (let i = 0; i < n; i++) await attempt(email, "bad password!", address, deviceCookie);
}

const throttled = (r: CredentialCheck) => (r.ok || r.reason !== "throttled" ? null : r.retryAfterSeconds);

describe("checkCredentials", () => {
  it("accepts the right password, case-insensitively on the email, and hands out a device cookie", async () => {
    const r = await attempt("  nurse@EXAMPLE.org ", PASSWORD);
    expect(r).toMatchObject({ ok: true, userId });
    expect((r as { deviceCookie: string }).deviceCookie).toMatch(/^[\w-]{22}\.\d+\.[\w-]{43}$/);
  });

  it("gives the same answer for an unknown email and a wrong password", async () => {
    const wrong = await attempt("nurse@example.org", "nope nope nope");
    const unknown = await attempt("ghost@example.org", "nope nope nope");
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    expect(unknown).toEqual({ ok: false, reason: "invalid" });
    expect(credentialFailureMessage(wrong as never)).toBe(credentialFailureMessage(unknown as never));
  });

  it("takes comparable time for an unknown email and a wrong password", async () => {
    const time = async (email: string, address: string) => {
      const t = performance.now();
      await attempt(email, "wrong password here", address);
      return performance.now() - t;
    };
    await time("ghost@example.org", "203.0.113.1");
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time("nurse@example.org", `203.0.113.${10 + i}`));
      unknown.push(await time(`ghost${i}@example.org`, `203.0.113.${20 + i}`));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Both paths verify an argon2 hash; skipping it for unknown users would make them ~100x faster.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });

  it("makes a failing address wait longer after each failure, whether or not the account exists", async () => {
    for (const email of ["nurse@example.org", "ghost@example.org"]) {
      await failTimes(policy.freeFailures, email, "192.0.2.50");
      // Even the right password is not checked while the address must wait.
      const waiting = await attempt(email, PASSWORD, "192.0.2.50");
      expect(throttled(waiting)).toBe(1);
      expect(credentialFailureMessage(waiting as never)).toBe(
        "Too many failed sign-in attempts. Try again in 1 second.",
      );
      const waits: number[] = [];
      for (let i = 0; i < 4; i++) {
        later(120);
        expect(await attempt(email, "still wrong", "192.0.2.50")).toEqual({ ok: false, reason: "invalid" });
        waits.push(throttled(await attempt(email, "still wrong", "192.0.2.50"))!);
      }
      expect(waits).toEqual([2, 4, 8, 16]);
      later(120);
      await h.db.execute(sql`delete from rate_limits`);
    }
  });

  it("never delays the account's owner at another address for one address's failures", async () => {
    await failTimes(policy.freeFailures + 2, "nurse@example.org", "192.0.2.66");
    expect(throttled(await attempt("nurse@example.org", PASSWORD, "192.0.2.66"))).toBeGreaterThan(0);
    expect(await attempt("nurse@example.org", PASSWORD, "198.51.100.200")).toMatchObject({ ok: true, userId });
  });

  it("slows a botnet guessing one account, but lets the owner's known browser straight in", async () => {
    const owner = issueDeviceCookie(policy.deviceSecret, "nurse@example.org");
    // Many addresses, each staying under its own free failures, together exceed the account's.
    for (let i = 0; i < policy.accountFreeFailures + 4; i++) {
      await attempt("nurse@example.org", "guess " + i, `10.9.${i}.1`);
    }
    // A fresh address without the device cookie waits, even with the right password...
    expect(throttled(await attempt("nurse@example.org", PASSWORD, "10.200.0.1"))).toBeGreaterThan(0);
    // ...a cookie issued for another account, or forged, does not help...
    const other = issueDeviceCookie(policy.deviceSecret, "ghost@example.org");
    expect(throttled(await attempt("nurse@example.org", PASSWORD, "10.200.0.2", other))).toBeGreaterThan(0);
    const forged = issueDeviceCookie("another secret entirely, 0123456789abcdef", "nurse@example.org");
    expect(throttled(await attempt("nurse@example.org", PASSWORD, "10.200.0.3", forged))).toBeGreaterThan(0);
    // ...and the owner's browser signs in at once.
    expect(await attempt("nurse@example.org", PASSWORD, "10.200.0.4", owner)).toMatchObject({ ok: true, userId });
  });

  it("stops password spraying from one address across many accounts", async () => {
    for (let i = 0; i < policy.addressFreeFailures; i++) {
      await attempt(`spray${i}@example.org`, "Winter2026!", "192.0.2.99");
    }
    // A new account from that address waits; the same account from elsewhere does not.
    expect(throttled(await attempt("nurse@example.org", PASSWORD, "192.0.2.99"))).toBeGreaterThan(0);
    expect(await attempt("nurse@example.org", PASSWORD, "192.0.2.100")).toMatchObject({ ok: true });
    // The address stays delayed for every other account it tries.
    expect(throttled(await attempt("other-spray@example.org", "x", "192.0.2.99"))).toBeGreaterThan(0);
  });

  it("judges a burst sent at once as one attempt, not all of them", async () => {
    await failTimes(policy.freeFailures, "nurse@example.org", "192.0.2.77");
    later(2);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => attempt("nurse@example.org", "parallel guess", "192.0.2.77")),
    );
    expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(1);
    expect(results.filter((r) => throttled(r) !== null)).toHaveLength(7);
  });

  it("forgets the failures of the pair and the account after a success", async () => {
    await failTimes(policy.freeFailures - 1, "nurse@example.org", "192.0.2.88");
    expect(await attempt("nurse@example.org", PASSWORD, "192.0.2.88")).toMatchObject({ ok: true });
    await failTimes(policy.freeFailures - 1, "nurse@example.org", "192.0.2.88");
    expect(await attempt("nurse@example.org", "wrong again", "192.0.2.88")).toEqual({ ok: false, reason: "invalid" });
  });

  it("tells a disabled user so only after the right password", async () => {
    const admin = await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      {
        email: "boss@example.org",
        name: "Boss",
        roles: ["admin"],
        password: "boss password 123",
      },
    );
    await updateUser({ actor: asUser(admin.id), db: h.db }, { userId, changes: { disabled: true } });
    expect(await attempt("nurse@example.org", PASSWORD)).toEqual({ ok: false, reason: "disabled" });
    expect(await attempt("nurse@example.org", "wrong one")).toEqual({ ok: false, reason: "invalid" });
    await updateUser({ actor: asUser(admin.id), db: h.db }, { userId, changes: { disabled: false } });
  });
});
