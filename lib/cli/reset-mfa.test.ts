import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { enableMfa, getUserMfa, putPendingMfa } from "@/db/queries/mfa";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser } from "@/lib/users/admin";
import { runOperation } from "./operations";

// `cli user reset-mfa --email` as the operation the CLI runs (in its own process or through the
// server's socket): the resetMfa verb with the command line as actor, audited as such.

let h: DatabaseHandle;
let userId: string;

beforeAll(async () => {
  h = await createTestDatabase();
  userId = (
    await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      { email: "nurse@x.org", name: "N", roles: ["employee"], password: "nurse long password" },
    )
  ).id;
});
afterAll(async () => h.close());

describe("user.reset_mfa", () => {
  it("removes the factor, records the reset by the command line, and refuses a second time", async () => {
    await putPendingMfa(h.db, { userId, secret: "sealed-secret" });
    await enableMfa(h.db, { userId });
    await expect(runOperation(h.db, "user.reset_mfa", { email: "Nurse@X.org" })).resolves.toEqual({
      email: "nurse@x.org",
      sessionsEnded: 0,
    });
    expect(await getUserMfa(h.db, { userId })).toBeNull();
    const [event] = await listAuditEvents(h.db, { query: { types: ["auth.mfa_reset"] }, limit: 1 });
    expect(event).toMatchObject({ actorId: null, actorEmail: null });
    expect(JSON.stringify(event)).toContain(userId);
    expect(event?.payload).toMatchObject({ via: "cli", email: "nurse@x.org" });
    await expect(runOperation(h.db, "user.reset_mfa", { email: "nurse@x.org" })).rejects.toMatchObject({
      code: "conflict",
      message: "nurse@x.org has no two-step sign-in to reset.",
    });
  });

  it("names what is wrong with the email", async () => {
    await expect(runOperation(h.db, "user.reset_mfa", { email: "ghost@x.org" })).rejects.toMatchObject({
      code: "not_found",
      message: "No user with the email ghost@x.org.",
    });
    await expect(runOperation(h.db, "user.reset_mfa", { email: "not an email" })).rejects.toMatchObject({
      code: "invalid_request",
    });
  });
});
