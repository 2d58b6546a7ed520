import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { auditEvents, rateLimits, signInFailureTallies } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser } from "@/lib/users/admin";
import { loginEmailSchema } from "@/lib/users/schemas";
import { checkCredentials, type SignInPolicy } from "./credentials";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// A sign-in email is checked as an email address before anything looks it up or writes it down.

const policy: SignInPolicy = {
  freeFailures: 3,
  accountFreeFailures: 6,
  addressFreeFailures: 8,
  maxDelaySeconds: 60,
  auditWindowMinutes: 15,
  deviceSecret: "device-cookie-secret-for-tests-0123456789",
};
let h: DatabaseHandle;

beforeAll(async () => {
  h = await createTestDatabase();
  await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "nurse@example.org", name: "Nurse", roles: ["employee"], password: "correct horse 1" },
  );
});
afterAll(async () => h.close());

async function written(): Promise<{ audit: number; tallies: number; limits: number }> {
  return {
    audit: await h.db.$count(auditEvents),
    tallies: await h.db.$count(signInFailureTallies),
    limits: await h.db.$count(rateLimits),
  };
}

describe("sign-in emails", () => {
  it("names a malformed email clearly", () => {
    const r = loginEmailSchema.safeParse("nurse at example");
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe("Enter a valid email address, such as name@example.org.");
    expect(loginEmailSchema.safeParse("").error?.issues[0]?.message).toBe("Enter your email address.");
    expect(loginEmailSchema.parse("  Nurse@Example.ORG ")).toBe("nurse@example.org");
  });

  it("refuses a malformed email before it is throttled or recorded, and records a well-formed unknown one", async () => {
    const before = await written();
    for (const email of ["<script>alert(1)</script>", "a".repeat(300), 'nurse@example.org\n{"forged":1}', ""]) {
      const check = await checkCredentials(h.db, { email, password: "whatever", address: "198.51.100.9" }, policy);
      expect(check).toEqual({ ok: false, reason: "invalid" });
    }
    expect(await written()).toEqual(before);

    // The same path with a well-formed email does write, so the comparison above can fail.
    await checkCredentials(h.db, { email: "ghost@example.org", password: "whatever", address: "198.51.100.9" }, policy);
    const after = await written();
    expect(after.limits + after.tallies + after.audit).toBeGreaterThan(before.limits + before.tallies + before.audit);
  });
});
