import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { getCollectionByName, listGrants } from "@/db/queries/collections";
import { documents } from "@/db/schema";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { addGroup } from "@/lib/groups/admin";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser } from "@/lib/users/admin";
import { addCollection, addGrant } from "./admin";
import { getFirstRunProgress } from "./first-run";

// A first collection can be created with its readers in one step, and the home page's next step
// follows the installation from empty to a collection with documents and a reader.

let h: DatabaseHandle;
let admin: Actor, employee: Actor;

async function user(email: string, roles: ("admin" | "employee")[]): Promise<Actor> {
  const { id } = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email, name: email, roles, password: `${email} long password` },
  );
  return (await actorFromUserId(h.db, id))!;
}

beforeAll(async () => {
  h = await createTestDatabase();
  admin = await user("first-admin@x.org", ["admin"]);
  employee = await user("first-reader@x.org", ["employee"]);
  await addGroup({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Nurses", description: "" });
});
afterAll(async () => h.close());

describe("first run", () => {
  it("says to create a collection, then to upload, then to grant, then nothing", async () => {
    expect(await getFirstRunProgress(h.db)).toEqual({ next: "create-collection", collection: null });
    const { id } = await addCollection({ actor: admin, db: h.db }, { name: "Policies", description: "" });
    expect(await getFirstRunProgress(h.db)).toEqual({
      next: "upload-documents",
      collection: { id, name: "Policies" },
    });
    await h.db.insert(documents).values({ collectionId: id, name: "hipaa.pdf" });
    expect((await getFirstRunProgress(h.db)).next).toBe("grant-readers");
    await addGrant({ actor: admin, db: h.db }, id, { role: "employee", access: "read" });
    expect(await getFirstRunProgress(h.db)).toEqual({ next: null, collection: { id, name: "Policies" } });
  });

  it("grants the chosen readers with the collection, each grant audited", async () => {
    const { id } = await addCollection(
      { actor: admin, db: h.db },
      { name: "Ward guides", description: "", readers: [{ role: "admin" }, { group: "Nurses" }] },
    );
    const grants = await listGrants(h.db, { collectionId: id });
    // One transaction, one timestamp: the listing's order between the two is not defined.
    expect(grants.map((g) => [g.role ?? g.groupName, g.access]).sort()).toEqual([
      ["Nurses", "read"],
      ["admin", "read"],
    ]);
    const events = await listAuditEvents(h.db, { query: { types: ["grant.added"] }, limit: 10 });
    const mine = events.filter((e) => (e.payload as { collection?: string }).collection === "Ward guides");
    expect(mine).toHaveLength(2);
    expect(mine.every((e) => e.actorId === admin.id)).toBe(true);
  });

  it("refuses an unknown group by name and creates nothing", async () => {
    await expect(
      addCollection({ actor: admin, db: h.db }, { name: "Orphan", description: "", readers: [{ group: "Nobody" }] }),
    ).rejects.toMatchObject({ code: "not_found", message: 'No group named "Nobody".' });
    expect(await getCollectionByName(h.db, { name: "Orphan" })).toBeNull();
  });

  it("refuses a reader who tries to create a collection that grants themselves access", async () => {
    await expect(
      addCollection({ actor: employee, db: h.db }, { name: "Self", description: "", readers: [{ role: "employee" }] }),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect(await getCollectionByName(h.db, { name: "Self" })).toBeNull();
  });
});
