// The event mix the audit benchmarks append: one in five an answered question with five
// passages, the rest sign-ins, failed sign-ins, uploads and feedback.
import { randomUUID } from "node:crypto";
import { questionAnsweredEvent } from "@/lib/audit/fixtures";
import type { AuditEventInput } from "@/lib/audit/types";

export const users = Array.from({ length: 200 }, (_, i) => ({ id: randomUUID(), email: `staff${i}@hospital.example` }));
export const collections = Array.from({ length: 12 }, (_, i) => ({ id: randomUUID(), name: `Collection ${i}` }));
export const documents = Array.from({ length: 400 }, (_, i) => ({
  documentId: randomUUID(),
  versionId: randomUUID(),
  title: `Protocol ${i}`,
}));

/** A realistic mix: one in five events is an answered question with five passages, the rest admin and sign-in events. */
export function event(i: number): AuditEventInput {
  const u = users[i % users.length]!;
  if (i % 5 === 0) {
    const passages = Array.from({ length: 5 }, (_, k) => ({
      ...documents[(i + k * 37) % documents.length]!,
      versionSha256: "ab".repeat(32),
      text: `Step ${k + 1}: wash hands for 40 seconds and record the check in the ward log before entering room ${i % 97}.`,
    }));
    return questionAnsweredEvent({
      asker: u,
      question: `Question ${i}: what is the procedure for isolation room ${i % 97}?`,
      collections: collections.slice(0, 3 + (i % 4)),
      passages,
      cited: 3,
    });
  }
  if (i % 5 === 1)
    return { type: "auth.sign_in", actorId: u.id, actorEmail: u.email, payload: { method: "credentials" } };
  if (i % 5 === 2)
    return {
      type: "auth.sign_in_failed",
      actorId: null,
      actorEmail: u.email,
      payload: { method: "credentials", email: u.email, reason: "wrong_password" },
    };
  if (i % 5 === 3) {
    const c = collections[i % collections.length]!;
    return {
      type: "document.uploaded",
      actorId: u.id,
      actorEmail: u.email,
      subject: { collectionId: c.id, documentId: documents[i % documents.length]!.documentId },
      payload: {
        via: "session",
        name: `file-${i}.pdf`,
        collection: c.name,
        versionNumber: 1,
        sha256: "cd".repeat(32),
        sizeBytes: 123456,
        newDocument: true,
      },
    };
  }
  return {
    type: "feedback.given",
    actorId: u.id,
    actorEmail: u.email,
    subject: { userId: u.id, conversationId: randomUUID() },
    payload: { messageId: randomUUID(), conversationId: randomUUID(), rating: 1, comment: "Helpful." },
  };
}
