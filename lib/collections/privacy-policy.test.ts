import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { getCollectionById } from "@/db/queries/collections";
import { createTestDatabase } from "@/lib/testing/db";
import { addCollection, changeCollectionPolicy } from "./admin";
import { collectionPatchSchema } from "./schemas";
import { collectionJson } from "./serialize";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// The policy as the collections API and pages change it: defaults, validation, and a refused
// change that leaves the stored policy as it was.

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => {
  await h?.close();
});

describe("collection privacy policy", () => {
  it("starts as tag + quarantine and is part of the collection's JSON", async () => {
    const { id } = await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Wards", description: "" });
    expect(collectionJson((await getCollectionById(h.db, { id }))!, "admin").privacy).toEqual({
      pii: "tag",
      piiTypes: ["ssn", "credit_card", "iban", "date_of_birth", "mrn", "secret", "password"],
      injection: "quarantine",
    });
  });

  it("changes part of the policy and keeps the rest", async () => {
    const { id } = await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Billing", description: "" });
    const { policy, requeued } = await changeCollectionPolicy({ actor: SYSTEM_ACTOR, db: h.db }, id, {
      patch: { pii: "reject", piiTypes: ["iban", "ssn"] },
      recheck: true,
    });
    expect(policy).toEqual({ pii: "reject", piiTypes: ["ssn", "iban"], injection: "quarantine" });
    expect(requeued).toBe(0);
    expect(collectionJson((await getCollectionById(h.db, { id }))!, "admin").privacy).toEqual({
      pii: "reject",
      piiTypes: ["ssn", "iban"],
      injection: "quarantine",
    });
  });

  it("refuses a policy that cannot act and leaves the stored one untouched", async () => {
    const { id } = await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Legal", description: "" });
    await expect(
      changeCollectionPolicy({ actor: SYSTEM_ACTOR, db: h.db }, id, {
        patch: { pii: "mask", piiTypes: [] },
        recheck: false,
      }),
    ).rejects.toThrow('Choose at least one kind of personal data for "mask" to act on (piiTypes).');
    expect((await getCollectionById(h.db, { id }))!.piiPolicy).toBe("tag");
    await expect(
      changeCollectionPolicy({ actor: SYSTEM_ACTOR, db: h.db }, "00000000-0000-4000-8000-000000000000", {
        patch: { injection: "warn" },
        recheck: false,
      }),
    ).rejects.toThrow("No collection with this id.");
  });

  it("validates the API body and names the bad field", () => {
    expect(collectionPatchSchema.safeParse({ privacy: { pii: "shred" } }).error?.issues[0]?.message).toBe(
      "pii must be one of: tag, mask, reject.",
    );
    expect(
      collectionPatchSchema.safeParse({ privacy: { piiTypes: ["ssn", "shoe_size"] } }).error?.issues[0]?.message,
    ).toMatch(/^piiTypes may hold: ssn, credit_card/);
    expect(collectionPatchSchema.safeParse({ privacy: { injection: "warn", extra: 1 } }).success).toBe(false);
    expect(collectionPatchSchema.safeParse({}).error?.issues[0]?.message).toBe(
      "Nothing to change: send name, description or privacy.",
    );
    expect(collectionPatchSchema.parse({ privacy: { injection: "warn" } })).toEqual({
      privacy: { injection: "warn" },
      recheck: false,
    });
  });
});
