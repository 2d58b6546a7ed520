import "server-only";
import { eq, inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { documents, documentVersions } from "@/db/schema";
import { REDACTION_MARKER } from "./content";
import { readablePayload } from "./rows";
import type { Citation } from "@/lib/rag/types";
import type { AuditEventView } from "./types";

// "Who saw what, from which version, via which model": a question.answered event with each
// cited passage as it was then. The passage comes from the stored version's text (kept after a
// document is superseded), else from the copy the event recorded (a deleted document's text is
// gone), else it was purged by retention.

/** A citation as the chat recorded it (lib/rag/types.ts). */
type RecordedCitation = Citation;

export interface CitedPassage extends RecordedCitation {
  documentName: string | null;
  documentStatus: "active" | "deleted" | "gone";
  versionStatus: string | null;
  /** The passage text shown, and where it came from. */
  passage: string | null;
  passageSource: "stored version" | "audit record" | null;
  /** Whether the stored version's text still reads as the passage recorded at answer time; null if either is missing. */
  matchesRecord: boolean | null;
}

/** What the guards around answering recorded: kinds and counts, injection findings with masked excerpts. */
export interface AnswerPrivacy {
  /** The question policy in force ("mask" or "keep"); null for answers recorded before it existed. */
  questionPolicy: string | null;
  questionPii: Record<string, number>;
  questionMasked: Record<string, number>;
  injection: { kind: string; confidence: number; excerpt: string }[];
  redacted: Record<string, number>;
  review: string[];
}

export interface AnswerView {
  question: string;
  answer: string;
  redacted: boolean;
  notCovered: boolean;
  finishReason: string | null;
  allowedCollections: { id: string; name: string }[];
  retrieved: {
    chunkId: string;
    documentId: string;
    versionId: string;
    versionSha256: string | null;
    score: number;
    vectorScore: number | null;
    vectorRank: number | null;
    textRank: number | null;
  }[];
  model: Record<string, unknown> | null;
  promptSha256: string | null;
  sentences: { text: string; citations: number[]; support: string; supportScore: number }[];
  timings: Record<string, number>;
  citations: CitedPassage[];
  privacy: AnswerPrivacy;
}

function privacyOf(p: Record<string, unknown>): AnswerPrivacy {
  const q = (p.questionPrivacy ?? {}) as { policy?: unknown; pii?: unknown; masked?: unknown };
  const guard = (p.guard ?? {}) as { redacted?: unknown; review?: unknown };
  const counts = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, number>) : {});
  return {
    questionPolicy: typeof q.policy === "string" ? q.policy : null,
    questionPii: counts(q.pii),
    questionMasked: counts(q.masked),
    injection: Array.isArray(p.injection) ? (p.injection as AnswerPrivacy["injection"]) : [],
    redacted: counts(guard.redacted),
    review: Array.isArray(guard.review) ? (guard.review as string[]) : [],
  };
}

export async function answerView(db: Executor, event: AuditEventView): Promise<AnswerView | null> {
  if (event.type !== "question.answered") return null;
  const p = readablePayload(event) as Record<string, unknown>;
  const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
  const citations = list<RecordedCitation>(p.citations);
  const versionIds = [...new Set(citations.map((c) => c.versionId).filter((v) => typeof v === "string"))];
  const versions = versionIds.length
    ? await db
        .select({
          id: documentVersions.id,
          text: documentVersions.text,
          status: documentVersions.status,
          documentName: documents.name,
          documentStatus: documents.status,
        })
        .from(documentVersions)
        .innerJoin(documents, eq(documents.id, documentVersions.documentId))
        .where(inArray(documentVersions.id, versionIds))
    : [];
  const byId = new Map(versions.map((v) => [v.id, v]));
  const redacted = event.redactedAt !== null;
  return {
    question: String(p.question ?? ""),
    answer: String(p.answer ?? ""),
    redacted,
    notCovered: p.notCovered === true,
    finishReason: typeof p.finishReason === "string" ? p.finishReason : null,
    allowedCollections: list(p.allowedCollections),
    retrieved: list(p.retrieved),
    model: (p.model as Record<string, unknown> | undefined) ?? null,
    promptSha256: typeof p.promptSha256 === "string" ? p.promptSha256 : null,
    sentences: list(p.sentences),
    timings: (p.timings as Record<string, number> | undefined) ?? {},
    privacy: privacyOf(p),
    citations: citations.map((c) => {
      const v = byId.get(c.versionId);
      const stored = v?.text ? v.text.slice(c.charStart, c.charEnd) : null;
      const recorded = typeof c.text === "string" && c.text !== REDACTION_MARKER ? c.text : null;
      return {
        ...c,
        documentName: v?.documentName ?? null,
        documentStatus: v ? v.documentStatus : "gone",
        versionStatus: v?.status ?? null,
        passage: stored ?? recorded,
        passageSource: stored !== null ? "stored version" : recorded !== null ? "audit record" : null,
        matchesRecord: stored !== null && recorded !== null ? normalize(stored) === normalize(recorded) : null,
      };
    }),
  };
}

const normalize = (s: string) => s.replace(/\s+/g, " ").trim();
