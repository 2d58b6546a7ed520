import "server-only";
import type { Database } from "@/db/client";
import { getConversationForUser } from "@/db/queries/conversations";
import { resolveReadScope } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import { recordAnswer } from "@/lib/metrics/record";
import type { Embedder } from "@/lib/models/embedder";
import type { Reranker } from "@/lib/models/reranker";
import { isQueueFullError, type ChatTurn, type GenerationTicket, type Generator } from "@/lib/models/generator";
import { detectOptionsFromEnv, questionPolicyFromEnv } from "@/lib/privacy/config";
import type { DetectPiiOptions } from "@/lib/privacy/pii";
import type { QuestionPolicy } from "@/lib/privacy/question-policy";
import { basePromptTokens } from "@/lib/rag/prompt";
import type { ChunkStore } from "@/lib/vector/store";
import { parseAsOf } from "@/lib/documents/effective";
import { injectionRefusal, screenQuestion, type ScreenedQuestion } from "./guard";
import { conversationSink, type ExchangeSink } from "./exchange";
import { findRevision, type RevisionTarget } from "./revise";
import { recordRefusal } from "./record";
import type { ChatEvent, FinalAnswer } from "./types";
import { answer, type GuardedDeps } from "./answer-run";

// One question, end to end: screen it (lib/chat/guard.ts), check who may ask what, hold a place in
// the generator's queue, retrieve only what the asker may read, prompt, generate (streamed), check
// the citations, guard the answer, store it and record it (lib/chat/exchange.ts), sending it for
// review when a guard or the asker flags it. Split in two so that everything that can refuse the
// request (a conversation that is not yours, a collection you cannot read, a full queue) does so
// here, before the response starts streaming and can still answer with the right HTTP status;
// the streamed half is lib/chat/answer-run.ts.

export interface AskDeps {
  db: Database;
  store: ChunkStore;
  embedder: Embedder;
  generator: Generator;
  /** RERANKER_MODEL_PATH's model; absent or null: no reranking. */
  reranker?: Reranker | null;
  /** The question policy and detection options; read from the configuration when left out. */
  privacy?: { question: QuestionPolicy; detect: DetectPiiOptions };
}

export interface AskInput {
  /** The question; left out to regenerate, when the stored question is asked again. */
  message?: string;
  conversationId?: string;
  collectionIds?: string[];
  /**
   * Earlier turns supplied by the caller (the OpenAI-compatible API sends the whole exchange with
   * every request). Without it, the stored conversation is the history.
   */
  history?: ChatTurn[];
  /** An ISO date or date-time: answer from the versions in effect then (lib/documents/effective parseAsOf). */
  asOf?: string;
  /** Answer the latest question again: the id of its current answer (lib/chat/revise.ts). */
  regenerate?: string;
  /** Replace the latest question (this id) with `message`. */
  editOf?: string;
}

export interface AskOptions {
  /** Where the answer is kept; the asker's conversation unless a compliance re-ask says otherwise. */
  sink?: ExchangeSink;
  /** Records a refusal; by default as the asker's refused question. */
  onRefused?: (err: AppError) => Promise<void>;
}

export interface PreparedAnswer {
  /** Runs to the end; never throws: failures become an `error` event and a failed message. */
  run(emit: (e: ChatEvent) => void, signal: AbortSignal): Promise<FinalAnswer | null>;
  /** Gives the queue place back when the answer will not be run after all. */
  cancel(): void;
}

export { PASSAGES_PER_ANSWER } from "./answer-run";

export async function prepareAnswer(
  deps: AskDeps,
  actor: Actor,
  input: AskInput,
  options: AskOptions = {},
): Promise<PreparedAnswer> {
  const revision = await findRevision(deps.db, actor, input);
  const typed = (revision?.kind === "regenerate" ? revision.question : (input.message ?? "")).trim();
  if (!typed) throw new AppError("invalid_request", "The message is empty.");
  // A regenerated answer is for the same moment as the one it replaces, unless another is asked for.
  const asOfText = input.asOf ?? (revision?.kind === "regenerate" ? (revision.asOf ?? undefined) : undefined);
  // A bad date is refused before anything is recorded or reserved.
  const asOf = asOfText !== undefined && asOfText.trim() !== "" ? parseAsOf(asOfText) : null;
  const privacy = deps.privacy ?? { question: questionPolicyFromEnv(), detect: detectOptionsFromEnv() };
  const question = screenQuestion(typed, privacy.question, privacy.detect);
  try {
    return await admit({ ...deps, privacy }, actor, input, question, asOf, {
      sink: options.sink ?? conversationSink,
      revision,
    });
  } catch (err) {
    // Every question is on the record, the refused ones too, with the reason they were refused.
    if (err instanceof AppError && err.expose && options.onRefused) await options.onRefused(err);
    else if (err instanceof AppError && err.expose)
      await recordRefusal(
        deps.db,
        actor,
        { question, conversationId: input.conversationId, collectionIds: input.collectionIds },
        err,
      );
    throw err;
  }
}

async function admit(
  deps: GuardedDeps,
  actor: Actor,
  input: AskInput,
  question: ScreenedQuestion,
  asOf: Date | null,
  keep: { sink: ExchangeSink; revision: RevisionTarget | null },
): Promise<PreparedAnswer> {
  const { db, generator } = deps;

  if (input.conversationId) {
    const conversation = await getConversationForUser(db, { id: input.conversationId, userId: actor.id });
    if (!conversation) throw new AppError("not_found", "No conversation with this id.");
  }
  const scope = await resolveReadScope(db, actor);
  if (scope.collectionIds.length === 0) {
    throw new AppError(
      "forbidden",
      "You cannot read any document collection yet. Ask an administrator to grant you access to one.",
    );
  }
  const requested =
    input.collectionIds && input.collectionIds.length > 0
      ? [...new Set(input.collectionIds.map((c) => c.toLowerCase()))]
      : null;
  if (requested?.some((id) => !scope.collectionIds.includes(id))) {
    // Unknown and unreadable look the same: the asker learns nothing about collections they cannot read.
    throw new AppError("not_found", "No collection with this id.");
  }

  const refusal = injectionRefusal(question);
  if (refusal) throw refusal;

  // A question that leaves no room for a single passage cannot be answered from documents.
  const questionTokens = basePromptTokens(question.forModel, (t) => generator.countTokens(t));
  if (questionTokens > generator.promptBudget() * 0.75) {
    throw new AppError(
      "payload_too_large",
      `The question is too long for the configured model: with the instructions it needs ${questionTokens} tokens, and the model's context leaves room for ${Math.floor(generator.promptBudget() * 0.75)} before any passage.`,
    );
  }

  let ticket: GenerationTicket;
  try {
    ticket = generator.reserve();
  } catch (err) {
    if (isQueueFullError(err)) {
      recordAnswer("refused");
      throw new AppError("rate_limited", err.message, {
        cause: err,
        headers: { "retry-after": String(err.retryAfterSeconds) },
      });
    }
    throw err;
  }

  let settled = false;
  const release = () => {
    if (!settled) {
      settled = true;
      ticket.release();
    }
  };
  const collections = scope.collections
    .filter((c) => !requested || requested.includes(c.id))
    .map((c) => ({ id: c.id, name: c.name }));
  return {
    cancel: release,
    run: (emit, signal) =>
      answer({
        deps,
        actor,
        question,
        conversationId: input.conversationId,
        history: input.history,
        requested,
        collections,
        scope,
        asOf,
        ...keep,
        emit,
        signal,
        ticket,
        markRun: () => (settled = true),
        release,
      }),
  };
}
