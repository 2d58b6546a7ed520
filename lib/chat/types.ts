// The chat stream's events, shared by the route, the browser client and API clients. Types only:
// this module is imported by client components.

import type { GeneratorIdentity } from "@/lib/models/generator";
import type { InjectionKind } from "@/lib/privacy/injection-rules";
import type { PiiType } from "@/lib/privacy/pii-types";
import type { AnswerSentence, Citation } from "@/lib/rag/types";
import type { ReviewReason, UserReviewReason } from "@/lib/review/reasons";

export type AnswerModel = GeneratorIdentity & { embedderId: string };

export interface RetrievedRef {
  chunkId: string;
  documentId: string;
  versionId: string;
  versionSha256: string | null;
  score: number;
  vectorScore: number | null;
  vectorRank: number | null;
  textRank: number | null;
}

export type AnswerStatus = "complete" | "stopped" | "failed";

/** What the privacy and safety checks around answering found and did; kinds and counts, never values. */
export interface AnswerGuardSummary {
  /** Personal data in the question, by kind. */
  questionPii: Partial<Record<PiiType, number>>;
  /** Kinds masked in the stored question (the conversation, its title and the audit trail). */
  questionMasked: Partial<Record<PiiType, number>>;
  /** Prompt-injection findings in the question. */
  questionInjection: { kind: InjectionKind; confidence: number }[];
  /** Personal data removed from the answer because no cited passage contains it. */
  redacted: Partial<Record<PiiType, number>>;
  /** Why the answer went to the human review queue; empty when it did not. */
  review: ReviewReason[];
}

/** A document version an answer drew on, with the interval it was in effect (ISO; until exclusive). */
export interface AppliedVersion {
  documentId: string;
  versionId: string;
  versionNumber: number | null;
  title: string;
  effectiveFrom: string;
  effectiveUntil: string | null;
  /** The citation number that cites it. */
  n: number;
}

export interface FinalAnswer {
  conversationId: string;
  messageId: string;
  questionId: string;
  /** The answer as stored: citations to passages that were not retrieved are already removed. */
  answer: string;
  status: AnswerStatus;
  finishReason: "stop" | "length" | "abort" | "error";
  /** No passage cleared the relevance floor: the answer says the documents do not cover it. */
  notCovered: boolean;
  citations: Citation[];
  sentences: AnswerSentence[];
  model: AnswerModel;
  retrievedChunkIds: string[];
  /** Tokens as the generator counts them (the extractive generator counts words). */
  usage: { promptTokens: number; completionTokens: number };
  timings: Record<string, number>;
  /**
   * The streamed tokens were written before this check: `answer` and `sentences` are the guarded
   * text, which replaces what was streamed.
   */
  guard: AnswerGuardSummary;
  /** The moment the question was asked for (ISO), or null for a question about now. */
  asOf: string | null;
  /** The versions the answer cites, each with the interval it was in effect. */
  versionsApplied: AppliedVersion[];
  /** Not covered as of the date: later versions that do cover the question (named, not quoted). */
  laterVersions?: Omit<AppliedVersion, "n">[];
}

/** A new answer that replaces an earlier one: regenerated (same question) or for an edited question. */
export interface ChatRevision {
  kind: "regenerate" | "edit";
  /** The question answered again (regenerate) or edited (edit). */
  questionId: string;
  /** The answer replaced, if there was one. */
  answerId: string | null;
}

export interface ChatMeta {
  conversationId: string;
  questionId: string;
  messageId: string;
  title: string;
  /** The question as stored: masked under the question policy. */
  question: string;
  /** The collections this question searches (already limited to what the asker may read). */
  collections: { id: string; name: string }[];
  /** The moment the question was asked for (ISO), or null for a question about now. */
  asOf: string | null;
  /** Present when this answer replaces an earlier one (kept, and shown as an earlier version). */
  revision?: ChatRevision;
}

/** Server-sent events of POST /api/chat, in order: meta, status*, token*, then final or error. */
export type ChatEvent =
  | { event: "meta"; data: ChatMeta }
  | { event: "status"; data: { stage: "retrieving" | "generating" | "checking" } }
  | { event: "token"; data: { text: string } }
  | { event: "final"; data: FinalAnswer }
  | { event: "error"; data: { code: string; message: string } };

/** A message as the API and the chat page show it. */
export interface ChatMessage {
  id: string;
  role: "user" | "assistant";
  content: string;
  status: "streaming" | "complete" | "stopped" | "failed";
  replyTo: string | null;
  citations: Citation[];
  sentences: AnswerSentence[];
  model: AnswerModel | null;
  collectionIds: string[];
  finishReason: string | null;
  notCovered: boolean;
  createdAt: string;
  completedAt: string | null;
  /** Retention replaced the content with a marker. */
  redacted: boolean;
  /** The answer drew on documents the asker may no longer read: content is a marker, citations are gone. */
  withheld: boolean;
  /** The moment the question was asked for (ISO), or null for a question about now. */
  asOf: string | null;
  /** Set when an edited question or a regenerated answer replaced this message. */
  supersededBy: string | null;
  feedback: { rating: number; comment: string; reason: UserReviewReason | null } | null;
}

export interface ConversationSummaryJson {
  id: string;
  title: string;
  collectionIds: string[];
  /** The "as of" date chosen at the last question, or null. */
  asOf: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A compliance re-ask of a recorded question, as the console shows it beside the record. */
export interface ReaskView {
  originalSeq: number;
  asker: string;
  /** The moment re-asked for (ISO). */
  asOf: string;
  /** The collections searched: those the question searched that the asker may still read. */
  collections: string[];
  error: string | null;
  answer: string | null;
  notCovered: boolean;
  versionsApplied: AppliedVersion[];
  laterVersions: Omit<AppliedVersion, "n">[];
  citations: {
    n: number;
    title: string;
    versionNumber: number | null;
    headingPath: string;
    pageStart: number | null;
    effectiveFrom: string | null;
    effectiveUntil: string | null;
    text: string;
  }[];
}
