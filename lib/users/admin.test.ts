import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { listUsers } from "@/db/queries/users";
import { createTestDatabase } from "@/lib/testing/db";
import { verifyPassword } from "@/lib/auth/password";
import { sql } from "drizzle-orm";
import { addUser, updateUser } from "./admin";
import { createUserSchema, updateUserSchema } from "./schemas";
import { addGroup, addMemberByEmail, getGroupWithMembers, removeMember } from "@/lib/groups/admin";
import { SYSTEM_ACTOR, asUser } from "@/lib/testing/actors";

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h.close());

describe("user administration", () => {
  it("stores an argon2id hash, never the password", async () => {
    const u = await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      { email: "a@example.org", name: "A", roles: ["admin"], password: "a long password" },
    );
    const rows = await queryRows<{ password_hash: string }>(
      h.db,
      sql`select password_hash from users where id = ${u.id}`,
    );
    const stored = rows[0]!.password_hash;
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(stored).not.toContain("a long password");
    expect(await verifyPassword(stored, "a long password")).toBe(true);
  });

  it("refuses a second account with the same email in any case, and keeps the first", async () => {
    await expect(
      addUser(
        { actor: SYSTEM_ACTOR, db: h.db },
        { email: "A@EXAMPLE.ORG", name: "Copy", roles: ["employee"], password: "another password" },
      ),
    ).rejects.toMatchObject({
      code: "conflict",
      message: "A user with the email a@example.org already exists.",
    });
    const users = await listUsers(h.db);
    expect(users.filter((u) => u.email === "a@example.org")).toHaveLength(1);
    expect(users[0]!.name).toBe("A");
  });

  it("validates input with messages that name the problem", () => {
    const r = createUserSchema.safeParse({ email: "not-an-email", name: " ", roles: ["root"], password: "short" });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "email: Enter a valid email address.",
        "name: Name is required.",
        "roles.0: Role must be one of: admin, compliance, employee.",
        "password: Password must be at least 12 characters.",
      ]),
    );
    expect(updateUserSchema.safeParse({}).error?.issues[0]?.message).toBe(
      "Nothing to change: send roles, disabled or name.",
    );
    expect(updateUserSchema.safeParse({ passwordHash: "x" }).success).toBe(false);
  });

  it("never leaves the product without an active administrator", async () => {
    const only = (await listUsers(h.db)).find((u) => u.email === "a@example.org")!;
    await expect(
      updateUser({ actor: SYSTEM_ACTOR, db: h.db }, { userId: only.id, changes: { roles: ["employee"] } }),
    ).rejects.toMatchObject({
      code: "conflict",
    });
    await expect(
      updateUser({ actor: SYSTEM_ACTOR, db: h.db }, { userId: only.id, changes: { disabled: true } }),
    ).rejects.toMatchObject({
      message: "This is the last active administrator; make someone else an administrator first.",
    });
    // Nothing changed.
    expect((await listUsers(h.db)).find((u) => u.id === only.id)).toMatchObject({ roles: ["admin"], disabled: false });

    const second = await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      {
        email: "b@example.org",
        name: "B",
        roles: ["admin"],
        password: "b long password",
      },
    );
    await expect(
      updateUser({ actor: asUser(second.id), db: h.db }, { userId: second.id, changes: { disabled: true } }),
    ).rejects.toMatchObject({
      message: "You cannot disable your own account.",
    });
    const updated = await updateUser(
      { actor: asUser(second.id), db: h.db },
      {
        userId: only.id,
        changes: { roles: ["compliance", "employee"] },
      },
    );
    expect(updated.roles).toEqual(["compliance", "employee"]);
  });

  it("manages group membership by email", async () => {
    const g = await addGroup({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Cardiology", description: "Heart ward" });
    await expect(
      addGroup({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Cardiology", description: "" }),
    ).rejects.toMatchObject({
      code: "conflict",
    });
    const first = await addMemberByEmail({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: g.id, email: "B@example.org" });
    expect(first.added).toBe(true);
    expect(
      (await addMemberByEmail({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: g.id, email: "b@example.org" })).added,
    ).toBe(false);
    await expect(
      addMemberByEmail({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: g.id, email: "nobody@example.org" }),
    ).rejects.toMatchObject({
      code: "not_found",
      message: "No user with the email nobody@example.org.",
    });
    expect((await getGroupWithMembers(h.db, g.id)).members.map((m) => m.email)).toEqual(["b@example.org"]);
    await removeMember({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: g.id, userId: first.user.id });
    await expect(
      removeMember({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: g.id, userId: first.user.id }),
    ).rejects.toMatchObject({
      code: "not_found",
    });
    expect((await getGroupWithMembers(h.db, g.id)).members).toEqual([]);
  });
});
