import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { getAuditEventBySeq } from "@/db/queries/audit";
import { markDocumentDeleted } from "@/db/queries/documents";
import { documents, documentVersions } from "@/db/schema";
import { addCollection } from "@/lib/collections/admin";
import { createTestDatabase } from "@/lib/testing/db";
import { answerView } from "./answer-view";
import { questionAnsweredEvent } from "./fixtures";
import { appendAudit } from "./log";
import { runRetentionSweep } from "./retention";
import { eventView } from "./rows";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// The answer record shows each cited passage as it read when the answer was given: from the
// stored version (also once superseded), from the record's own copy once the document is
// deleted, and not at all once retention has redacted that copy too.

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h.close());

const V1 = "# Isolation\n\nWash hands for 40 seconds before entering.\n";
const V2 = "# Isolation\n\nWash hands for 60 seconds before entering.\n";

async function documentWithVersions(collectionId: string, name: string) {
  const [doc] = await h.db.insert(documents).values({ collectionId, name }).returning();
  const [v1] = await h.db
    .insert(documentVersions)
    .values({
      documentId: doc!.id,
      versionNumber: 1,
      sha256: "a".repeat(64),
      sizeBytes: V1.length,
      originalName: name,
      status: "superseded",
      text: V1,
    })
    .returning();
  const [v2] = await h.db
    .insert(documentVersions)
    .values({
      documentId: doc!.id,
      versionNumber: 2,
      sha256: "b".repeat(64),
      sizeBytes: V2.length,
      originalName: name,
      status: "ready",
      text: V2,
    })
    .returning();
  await h.db.update(documents).set({ currentVersionId: v2!.id }).where(eq(documents.id, doc!.id));
  return { doc: doc!, v1: v1! };
}

describe("the answer record", () => {
  it("shows passages as they were, through supersession, deletion and retention", async () => {
    const { id: collectionId } = await addCollection(
      { actor: SYSTEM_ACTOR, db: h.db },
      { name: "Isolation", description: "" },
    );
    const { doc, v1 } = await documentWithVersions(collectionId, "isolation.md");
    const passage = "Wash hands for 40 seconds before entering.";
    const start = V1.indexOf(passage);
    const asker = { id: randomUUID(), email: "erin@example.org" };
    const { seq } = await appendAudit(
      h.db,
      questionAnsweredEvent({
        asker,
        question: "How long do I wash my hands?",
        collections: [{ id: collectionId, name: "Isolation" }],
        passages: [
          {
            documentId: doc.id,
            versionId: v1.id,
            versionSha256: v1.sha256,
            title: "Isolation",
            text: passage,
            charStart: start,
            versionNumber: 1,
          },
        ],
      }),
    );
    const view = async () => answerView(h.db, eventView((await getAuditEventBySeq(h.db, { seq }))!));

    // Version 1 was superseded by version 2 (60 seconds): the record shows version 1's words.
    const superseded = (await view())!;
    expect(superseded.question).toBe("How long do I wash my hands?");
    expect(superseded.citations[0]).toMatchObject({
      passage,
      passageSource: "stored version",
      matchesRecord: true,
      versionStatus: "superseded",
      documentName: "isolation.md",
      versionNumber: 1,
    });

    // Deleted: the version's text is gone; the record's copy remains.
    await markDocumentDeleted(h.db, { documentId: doc.id, deletedBy: null });
    expect((await view())!.citations[0]).toMatchObject({
      passage,
      passageSource: "audit record",
      matchesRecord: null,
      documentStatus: "deleted",
      versionStatus: "deleted",
    });

    // Retention redacts the copy: nothing is left to show, and the record says so.
    await runRetentionSweep(
      { actor: SYSTEM_ACTOR, db: h.db },
      { retentionDays: 1, now: new Date(Date.now() + 2 * 86_400_000) },
    );
    const purged = (await view())!;
    expect(purged).toMatchObject({ redacted: true, question: "[redacted under the retention policy]" });
    expect(purged.citations[0]).toMatchObject({
      passage: null,
      passageSource: null,
      versionSha256: v1.sha256,
      charStart: start,
    });
  });
});
