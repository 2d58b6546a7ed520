import { createHash, randomUUID } from "node:crypto";
import type { AuditEventInput } from "./types";

// Realistic events for tests and the benchmark, shaped exactly as the chat records them
// (see the question.answered contract in docs/adr/0008-audit-trail.md).

export interface QuestionFixture {
  asker: { id: string; email: string };
  conversationId?: string;
  question?: string;
  collections: { id: string; name: string }[];
  /** Passages retrieved and cited; the first `cited` of them are cited. */
  passages: {
    documentId: string;
    versionId: string;
    versionSha256?: string | null;
    title: string;
    text: string;
    charStart?: number;
    versionNumber?: number;
  }[];
  cited?: number;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

export function questionAnsweredEvent(f: QuestionFixture): AuditEventInput {
  const conversationId = f.conversationId ?? randomUUID();
  const question = f.question ?? "What is the hand hygiene protocol before entering an isolation room?";
  const cited = Math.min(f.cited ?? f.passages.length, f.passages.length);
  const retrieved = f.passages.map((p, i) => ({
    chunkId: `${p.versionId}:${i}`,
    documentId: p.documentId,
    versionId: p.versionId,
    versionSha256: p.versionSha256 ?? null,
    score: 0.0323 - i * 0.001,
    vectorScore: 0.61 - i * 0.02,
    vectorRank: i + 1,
    textRank: i % 2 === 0 ? i + 1 : null,
  }));
  const citations = f.passages.slice(0, cited).map((p, i) => ({
    n: i + 1,
    chunkId: `${p.versionId}:${i}`,
    documentId: p.documentId,
    versionId: p.versionId,
    versionNumber: p.versionNumber ?? 1,
    versionSha256: p.versionSha256 ?? null,
    title: p.title,
    headingPath: "Procedures > Before entry",
    pageStart: 2,
    pageEnd: 2,
    charStart: p.charStart ?? 0,
    charEnd: (p.charStart ?? 0) + p.text.length,
    text: p.text,
  }));
  const answer = citations.length
    ? citations.map((c) => `Follow the documented step ${c.n} [${c.n}].`).join(" ")
    : "The documents you can read do not cover this.";
  return {
    type: "question.answered",
    actorId: f.asker.id,
    actorEmail: f.asker.email,
    subject: { conversationId, userId: f.asker.id },
    payload: {
      conversationId,
      messageId: randomUUID(),
      question,
      allowedCollections: f.collections,
      retrieved,
      promptSha256: sha(`prompt:${question}`),
      model: {
        kind: "extractive",
        modelFile: null,
        modelBytes: null,
        modelSha256: null,
        architecture: null,
        quantization: null,
        contextSize: null,
        gpu: null,
        threads: null,
        sampling: null,
        embedderId: "use-lite-512",
      },
      answer,
      notCovered: citations.length === 0,
      finishReason: "stop",
      citations,
      sentences: citations.map((c) => ({
        text: `Follow the documented step ${c.n} [${c.n}].`,
        citations: [c.n],
        support: "supported",
        supportScore: 0.82,
      })),
      timings: { retrieveMs: 41, generateMs: 212, totalMs: 260 },
    },
  };
}
