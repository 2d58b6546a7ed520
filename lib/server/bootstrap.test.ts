import { afterEach, describe, expect, it, vi } from "vitest";
import { TEST_SIGN_IN_POLICY } from "@/lib/testing/sign-in-policy";
import type { DatabaseHandle } from "@/db/client";
import { listUsers } from "@/db/queries/users";
import { checkCredentials } from "@/lib/auth/credentials";
import { openSession, resolveSession } from "@/lib/auth/sessions";
import { createTestDatabase } from "@/lib/testing/db";
import { announceBootstrap, ensureFirstAdmin } from "./bootstrap";

const policy = TEST_SIGN_IN_POLICY;

/** Signs in with the password and says what the new session may do. */
async function sessionAfterSignIn(db: DatabaseHandle["db"], email: string, password: string) {
  const check = await checkCredentials(db, { email, password }, policy);
  if (!check.ok) throw new Error(`sign-in failed: ${check.reason}`);
  const { id } = await openSession(db, { userId: check.userId, method: "credentials" });
  return resolveSession(db, { sessionId: id, userId: check.userId }, { idleMinutes: 30, maxHours: 12 });
}
let h: DatabaseHandle | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  vi.restoreAllMocks();
});

describe("first-start bootstrap", () => {
  it("creates the admin from ADMIN_EMAIL and ADMIN_PASSWORD once", async () => {
    h = await createTestDatabase();
    const e = { ADMIN_EMAIL: "Root@Hospital.example", ADMIN_PASSWORD: "configured password", ADMIN_NAME: "Root" };
    expect(await ensureFirstAdmin(h.db, e)).toEqual({
      created: true,
      email: "root@hospital.example",
      generatedPassword: undefined,
    });
    expect(await ensureFirstAdmin(h.db, e)).toEqual({ created: false });
    const users = await listUsers(h.db);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ email: "root@hospital.example", roles: ["admin", "employee"] });
    // A password the operator chose is theirs already: the session is complete at once.
    expect(await sessionAfterSignIn(h.db, "root@hospital.example", "configured password")).toMatchObject({
      kind: "active",
    });
  });

  it("generates a strong password, prints it once, and it works once: only to choose another", async () => {
    h = await createTestDatabase();
    const result = await ensureFirstAdmin(h.db, {
      ADMIN_EMAIL: undefined,
      ADMIN_PASSWORD: undefined,
      ADMIN_NAME: "Administrator",
    });
    if (!result.created || !result.generatedPassword) throw new Error("expected a generated password");
    expect(result.generatedPassword.length).toBeGreaterThanOrEqual(24);
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    announceBootstrap(result);
    announceBootstrap(
      await ensureFirstAdmin(h.db, { ADMIN_EMAIL: undefined, ADMIN_PASSWORD: undefined, ADMIN_NAME: "x" }),
    );
    const printed = out.mock.calls.map((c) => String(c[0])).join("");
    expect(printed.split(result.generatedPassword).length - 1).toBe(1);
    expect(await sessionAfterSignIn(h.db, result.email, result.generatedPassword)).toMatchObject({
      kind: "pending",
      step: "change_password",
    });
  });
});
