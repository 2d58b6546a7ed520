import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { setCurrentVersion, updateVersion } from "@/db/queries/documents";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { addCollection, addGrant, changeCollectionPolicy } from "@/lib/collections/admin";
import { addGroup, addMemberByEmail } from "@/lib/groups/admin";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser } from "@/lib/users/admin";
import { documentDetailForCaller, openOriginal } from "./original";
import { readPassage } from "./passage";
import { acceptUpload } from "./upload";
import { SYSTEM_ACTOR, asUser } from "@/lib/testing/actors";

// Who receives what of a document: readers get the current published version only, and under
// the mask policy its masked rendition; those who manage the collection get every version's original.

let h: DatabaseHandle;
let dataDir: string;
let reader: Actor, manager: Actor;
const SSN = "536-22-1987";
const ids = { masked: "", tagged: "" };
const versions = { superseded: "", quarantined: "", current: "", tagged: "" };

const PAGE_1 = "Refund policy. Patient SSN [SSN] must be verified before a deposit is refunded.";
const PAGE_2 = "Deposits are refunded within 30 days.";

async function upload(collectionId: string, name: string, content: string) {
  const r = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 1 << 20 },
    { collectionId, fileName: name, bytes: Buffer.from(content) },
  );
  if (r.status !== "queued") throw new Error(JSON.stringify(r));
  return r;
}

/** A version as the pipeline leaves it: masked text with page offsets, and a status. */
async function processed(versionId: string, status: "ready" | "superseded" | "quarantined") {
  await updateVersion(h.db, {
    id: versionId,
    status,
    format: "text",
    text: `${PAGE_1}\n\n${PAGE_2}`,
    pageStarts: [0, PAGE_1.length + 2],
    pageCount: 2,
    processedAt: new Date(),
  });
}

beforeAll(async () => {
  h = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-original-"));
  const admin = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "a@x.org", name: "A", roles: ["admin"], password: "admin password 1" },
  );
  const r = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "r@x.org", name: "R", roles: ["employee"], password: "reader password 1" },
  );
  const m = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "m@x.org", name: "M", roles: ["employee"], password: "manager password 1" },
  );
  const editors = await addGroup({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Editors", description: "" });
  await addMemberByEmail({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: editors.id, email: "m@x.org" });
  ids.masked = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Refunds", description: "" })).id;
  ids.tagged = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Open", description: "" })).id;
  for (const id of Object.values(ids)) {
    await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, id, { role: "employee", access: "read" });
    await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, id, { group: "Editors", access: "manage" });
  }
  await changeCollectionPolicy({ actor: asUser(admin.id), db: h.db }, ids.masked, {
    patch: { pii: "mask" },
    recheck: false,
  });

  const original = (n: number) => `Refund policy v${n}. Patient SSN ${SSN} must be verified.\n\nDeposits.`;
  const v1 = await upload(ids.masked, "refunds.txt", original(1));
  const v2 = await upload(ids.masked, "refunds.txt", original(2));
  const v3 = await upload(ids.masked, "refunds.txt", original(3));
  versions.superseded = v1.versionId;
  versions.quarantined = v2.versionId;
  versions.current = v3.versionId;
  await processed(v1.versionId, "superseded");
  await processed(v2.versionId, "quarantined");
  await processed(v3.versionId, "ready");
  await setCurrentVersion(h.db, { documentId: v3.documentId, versionId: v3.versionId });
  const t = await upload(ids.tagged, "open.txt", original(4));
  versions.tagged = t.versionId;
  await processed(t.versionId, "ready");
  await setCurrentVersion(h.db, { documentId: t.documentId, versionId: t.versionId });

  reader = (await actorFromUserId(h.db, r.id))!;
  manager = (await actorFromUserId(h.db, m.id))!;
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const docOf = async (versionId: string) =>
  (await h.db.query.documentVersions.findFirst({ where: (v, { eq }) => eq(v.id, versionId) }))!.documentId;

describe("opening the original under the mask policy", () => {
  it("gives readers the masked rendition with page anchors, never the uploaded file", async () => {
    const documentId = await docOf(versions.current);
    const opened = await openOriginal(h.db, reader, { documentId, dataDir });
    if (opened.kind !== "masked") throw new Error(`a reader received the ${opened.kind}`);
    expect(opened.html).not.toContain(SSN);
    expect(opened.html).toContain("Patient SSN [SSN] must be verified");
    expect(opened.html).toContain(
      '<section id="page=2"><h2>Page 2</h2><pre>Deposits are refunded within 30 days.</pre>',
    );
    // Asking for the current version by id changes nothing.
    const byId = await openOriginal(h.db, reader, { documentId, versionId: versions.current, dataDir });
    expect(byId.kind).toBe("masked");
  });

  it("gives those who manage the collection the unmasked original", async () => {
    const documentId = await docOf(versions.current);
    const opened = await openOriginal(h.db, manager, { documentId, dataDir });
    if (opened.kind !== "original") throw new Error("the manager received the rendition");
    expect(opened.bytes.toString()).toContain(SSN);
  });

  it("serves the original to readers where the collection does not mask", async () => {
    const opened = await openOriginal(h.db, reader, { documentId: await docOf(versions.tagged), dataDir });
    expect(opened.kind).toBe("original");
  });
});

describe("versions readers cannot reach", () => {
  it("refuses superseded and quarantined versions to readers, by file and by passage, as if absent", async () => {
    const documentId = await docOf(versions.current);
    for (const versionId of [versions.superseded, versions.quarantined]) {
      await expect(openOriginal(h.db, reader, { documentId, versionId, dataDir })).rejects.toMatchObject({
        status: 404,
        message: "No such version of this document.",
      });
      await expect(readPassage(h.db, reader, { documentId, versionId, start: 0, end: 20 })).rejects.toMatchObject({
        status: 404,
        message: "No such version of this document.",
      });
    }
    expect(
      (await readPassage(h.db, reader, { documentId, versionId: versions.current, start: 0, end: 20 })).passage,
    ).toBe(PAGE_1.slice(0, 20));
  });

  it("lets managers open every version, and lists the history to managers only", async () => {
    const documentId = await docOf(versions.current);
    const old = await openOriginal(h.db, manager, { documentId, versionId: versions.superseded, dataDir });
    expect(old.kind === "original" && old.bytes.toString()).toContain("Refund policy v1.");
    expect(
      (await readPassage(h.db, manager, { documentId, versionId: versions.quarantined, start: 0, end: 5 })).passage,
    ).toBe("Refun");
    const forReader = await documentDetailForCaller(h.db, reader, documentId);
    expect(forReader.versions.map((v) => v.id)).toEqual([versions.current]);
    expect(JSON.stringify(forReader)).not.toContain(versions.superseded);
    expect(JSON.stringify(forReader)).not.toContain(versions.quarantined);
    const forManager = await documentDetailForCaller(h.db, manager, documentId);
    expect(forManager.versions.map((v) => v.id).sort()).toEqual(
      [versions.current, versions.quarantined, versions.superseded].sort(),
    );
  });
});
