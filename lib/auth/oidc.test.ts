import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { createUser, getUserById } from "@/db/queries/users";
import { createTestDatabase } from "@/lib/testing/db";
import { findOidcUser, provisionOidcUser, type OidcIdentity } from "./oidc";
import { hashPassword } from "./password";

// Linking an SSO identity to an account: by issuer and subject; by email only where the provider
// verified it, the account has no password and was never linked to another subject.

let h: DatabaseHandle;
const issuer = "https://idp.example";
const person = (over: Partial<OidcIdentity>): OidcIdentity => ({
  issuer,
  subject: "sub-x",
  email: "x@example.org",
  emailVerified: true,
  name: "X",
  roles: ["employee"],
  ...over,
});

let adminId: string;
beforeAll(async () => {
  h = await createTestDatabase();
  adminId = (
    await createUser(h.db, {
      email: "admin@example.org",
      name: "Admin",
      roles: ["admin", "employee"],
      passwordHash: await hashPassword("ledger quartz mariner 7"),
    })
  ).id;
});
afterAll(async () => h.close());

describe("OIDC account linking", () => {
  it("never signs in to an account with a password, verified email or not, and audits the attempt", async () => {
    for (const emailVerified of [false, true]) {
      const result = await provisionOidcUser(
        h.db,
        person({ subject: `mallory-${emailVerified}`, email: "ADMIN@example.org", emailVerified, roles: ["admin"] }),
      );
      expect(result).toEqual({ ok: false, reason: emailVerified ? "local_account" : "unverified_email" });
    }
    expect(await getUserById(h.db, { id: adminId })).toMatchObject({ authProvider: "credentials" });
    expect(await findOidcUser(h.db, { issuer, subject: "mallory-true" })).toBeNull();
    const failures = await queryRows<{ reason: string }>(
      h.db,
      sql`select payload->>'reason' as reason from audit_events where type = 'auth.sign_in_failed' and subject_user_id = ${adminId} order by seq`,
    );
    expect(failures.map((f) => f.reason)).toEqual(["unverified_email", "local_account"]);
  });

  it("links a pre-created account without a password by verified email, once, and then only by subject", async () => {
    const pre = await createUser(h.db, {
      email: "pre@example.org",
      name: "Pre",
      roles: ["employee"],
      passwordHash: null,
    });
    expect(
      await provisionOidcUser(h.db, person({ subject: "p-1", email: "pre@example.org", emailVerified: false })),
    ).toEqual({ ok: false, reason: "unverified_email" });
    expect(await provisionOidcUser(h.db, person({ subject: "p-1", email: "pre@example.org" }))).toEqual({
      ok: true,
      userId: pre.id,
    });
    expect(await findOidcUser(h.db, { issuer, subject: "p-1" })).toMatchObject({ id: pre.id, authProvider: "oidc" });
    // Another subject with the same email is refused: the account is linked already.
    expect(await provisionOidcUser(h.db, person({ subject: "p-2", email: "pre@example.org" }))).toEqual({
      ok: false,
      reason: "linked_elsewhere",
    });
    // The linked subject signs in whatever email it now sends; the same subject of another issuer does not.
    expect(await provisionOidcUser(h.db, person({ subject: "p-1", email: "renamed@example.org" }))).toEqual({
      ok: true,
      userId: pre.id,
    });
    expect(await findOidcUser(h.db, { issuer: "https://other-idp.example", subject: "p-1" })).toBeNull();
  });

  it("creates an account for a new person, whose roles the provider then owns", async () => {
    const first = await provisionOidcUser(h.db, person({ subject: "n-1", email: "new@example.org" }));
    if (!first.ok) throw new Error("expected an account");
    expect(await getUserById(h.db, { id: first.userId })).toMatchObject({
      email: "new@example.org",
      authProvider: "oidc",
    });
    expect(
      await provisionOidcUser(h.db, person({ subject: "n-1", email: "new@example.org", roles: ["compliance"] })),
    ).toEqual({ ok: true, userId: first.userId });
    const roles = await queryRows<{ role: string }>(
      h.db,
      sql`select role from user_roles where user_id = ${first.userId}`,
    );
    expect(roles.map((r) => r.role)).toEqual(["compliance"]);
  });
});
