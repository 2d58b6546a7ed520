import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/lib/testing/db";
import { verifyChain } from "@/lib/audit/verify";
import { addUser } from "@/lib/users/admin";
import { checkCredentials, type SignInPolicy } from "./credentials";
import { closeSignInFailureWindows } from "./sign-in-failures";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// An anonymous flood of failed sign-ins must not grow the append-only audit trail without bound.

const policy: SignInPolicy = {
  freeFailures: 1000,
  accountFreeFailures: 1000,
  addressFreeFailures: 1000,
  maxDelaySeconds: 60,
  auditWindowMinutes: 15,
  deviceSecret: "device-cookie-secret-for-tests-0123456789",
};
let h: DatabaseHandle;
let userId: string;

type Row = { actor_id: string | null; actor_email: string | null; payload: Record<string, unknown> };
const failedEvents = () =>
  queryRows<Row>(
    h.db,
    sql`select actor_id, actor_email, payload from audit_events where type = 'auth.sign_in_failed' order by seq`,
  );

beforeAll(async () => {
  h = await createTestDatabase();
  userId = (
    await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      {
        email: "clerk@example.org",
        name: "Clerk",
        roles: ["employee"],
        password: "clerk password 12",
      },
    )
  ).id;
});
afterAll(async () => h.close());

describe("failed sign-ins in the audit trail", () => {
  it("writes one event per account and window with the count, and one for all unknown emails", async () => {
    const start = new Date();
    const tries: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      tries.push(
        checkCredentials(
          h.db,
          { email: "clerk@example.org", password: `guess ${i}`, address: `10.0.0.${i % 3}` },
          policy,
          start,
        ),
      );
      tries.push(
        checkCredentials(h.db, { email: `nobody${i}@example.org`, password: "x", address: "10.0.9.9" }, policy, start),
      );
    }
    await Promise.all(tries);
    // Nothing yet: the window is open.
    expect(await failedEvents()).toHaveLength(0);
    expect(
      await closeSignInFailureWindows(h.db, { windowMinutes: 15, now: new Date(start.getTime() + 5 * 60_000) }),
    ).toBe(0);

    const written = await closeSignInFailureWindows(h.db, {
      windowMinutes: 15,
      now: new Date(start.getTime() + 16 * 60_000),
    });
    expect(written).toBe(2);
    const events = await failedEvents();
    expect(events).toHaveLength(2);
    const clerk = events.find((e) => e.actor_id === userId)!;
    expect(clerk.payload).toMatchObject({
      email: "clerk@example.org",
      count: 12,
      reason: "wrong_password",
      reasons: { wrong_password: 12 },
    });
    expect(clerk.payload.addresses).toEqual(expect.arrayContaining(["10.0.0.0", "10.0.0.1", "10.0.0.2"]));
    const unknown = events.find((e) => e.actor_id === null)!;
    expect(unknown.payload).toMatchObject({ email: null, count: 12, reasons: { unknown_email: 12 } });
    // A few of the emails tried are named; the count carries the rest.
    expect(unknown.payload.emails).toHaveLength(10);
    // A second sweep finds nothing more to write.
    expect(
      await closeSignInFailureWindows(h.db, { windowMinutes: 15, now: new Date(start.getTime() + 17 * 60_000) }),
    ).toBe(0);
    expect((await verifyChain(h.db)).ok).toBe(true);
  });

  it("writes the open window at once when the account signs in", async () => {
    const before = (await failedEvents()).length;
    await checkCredentials(h.db, { email: "clerk@example.org", password: "typo", address: "10.1.1.1" }, policy);
    await checkCredentials(
      h.db,
      { email: "clerk@example.org", password: "clerk password 12", address: "10.1.1.1" },
      policy,
    );
    const events = await failedEvents();
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)!.payload).toMatchObject({ count: 1, reason: "wrong_password", addresses: ["10.1.1.1"] });
  });

  it("starts a new window after the old one, writing the old one first", async () => {
    const before = (await failedEvents()).length;
    const t0 = new Date(Date.now() + 60 * 60_000);
    await checkCredentials(h.db, { email: "clerk@example.org", password: "a", address: null }, policy, t0);
    await checkCredentials(h.db, { email: "clerk@example.org", password: "b", address: null }, policy, t0);
    await checkCredentials(
      h.db,
      { email: "clerk@example.org", password: "c", address: null },
      policy,
      new Date(t0.getTime() + 20 * 60_000),
    );
    const events = await failedEvents();
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)!.payload).toMatchObject({ count: 2 });
  });
});
