// The chat stream's events, shared by the route, the browser client and API clients. Types only:
// this module is imported by client components.

import type { GeneratorIdentity } from "@/lib/models/generator";
import type { AnswerSentence, Citation } from "@/lib/rag/types";

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
}

export interface ChatMeta {
  conversationId: string;
  questionId: string;
  messageId: string;
  title: string;
  /** The collections this question searches (already limited to what the asker may read). */
  collections: { id: string; name: string }[];
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
  feedback: { rating: number; comment: string } | null;
}

export interface ConversationSummaryJson {
  id: string;
  title: string;
  collectionIds: string[];
  createdAt: string;
  updatedAt: string;
}
