import "server-only";
import type { Database } from "@/db/client";
import { getConversationForUser } from "@/db/queries/conversations";
import { resolveReadScope, type ReadScope } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/actor";
import { AppError, toAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { recordAnswer, recordGeneration, recordRetrieval } from "@/lib/metrics/record";
import type { Embedder } from "@/lib/models/embedder";
import type { Reranker } from "@/lib/models/reranker";
import {
  isQueueFullError,
  type ChatTurn,
  type GenerationResult,
  type GenerationTicket,
  type Generator,
} from "@/lib/models/generator";
import { detectOptionsFromEnv, questionPolicyFromEnv } from "@/lib/privacy/config";
import type { DetectPiiOptions } from "@/lib/privacy/pii";
import type { QuestionPolicy } from "@/lib/privacy/question-policy";
import { checkAnswer, type CheckedAnswer } from "@/lib/rag/cite";
import { basePromptTokens, buildPrompt, NOT_COVERED_REPLY } from "@/lib/rag/prompt";
import { retrievalQuery } from "@/lib/rag/follow-up";
import { retrieveForActor } from "@/lib/rag/retrieve";
import type { ChunkStore } from "@/lib/vector/store";
import { parseAsOf } from "@/lib/documents/effective";
import { appliedSentence, laterCoverage, versionsApplied } from "./as-of";
import { confirmPassages } from "./confirm";
import { asUnavailable } from "./unavailable";
import {
  guardCheckedAnswer,
  guardFlags,
  guardSummary,
  injectionRefusal,
  screenQuestion,
  type ScreenedQuestion,
} from "./guard";
import { conversationSink, exchangeHistory, type ExchangeSink } from "./exchange";
import { findRevision, type RevisionTarget } from "./revise";
import { recordRefusal } from "./record";
import { createStreamGuard } from "./stream-guard";
import type { AnswerModel, ChatEvent, ChatMeta, FinalAnswer, RetrievedRef } from "./types";

// One question, end to end: screen it (lib/chat/guard.ts), check who may ask what, hold a place in
// the generator's queue, retrieve only what the asker may read, prompt, generate (streamed), check
// the citations, guard the answer, store it and record it (lib/chat/exchange.ts), sending it for
// review when a guard or the asker flags it. Split in two so that everything that can refuse the request (a conversation
// that is not yours, a collection you cannot read, a full queue) does so before the response
// starts streaming and can still answer with the right HTTP status.

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

/** Passages handed to the prompt. More cost context and rarely add an answer. */
export const PASSAGES_PER_ANSWER = 8;

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

type GuardedDeps = AskDeps & Required<Pick<AskDeps, "privacy">>;

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

interface AnswerContext {
  deps: GuardedDeps;
  actor: Actor;
  question: ScreenedQuestion;
  conversationId?: string;
  history?: ChatTurn[];
  requested: string[] | null;
  collections: { id: string; name: string }[];
  /** Resolved once when the question was admitted; confirmPassages reads it again before text goes out. */
  scope: ReadScope;
  asOf: Date | null;
  sink: ExchangeSink;
  revision: RevisionTarget | null;
  emit: (e: ChatEvent) => void;
  signal: AbortSignal;
  ticket: GenerationTicket;
  markRun: () => void;
  release: () => void;
}

async function answer(ctx: AnswerContext): Promise<FinalAnswer | null> {
  const { deps, actor, question, emit } = ctx;
  const { db } = deps;
  const started = performance.now();
  let meta: ChatMeta | null = null;
  let retrievedSoFar: RetrievedRef[] = [];
  try {
    meta = await ctx.sink.open(db, {
      actor,
      question,
      conversationId: ctx.conversationId,
      collectionIds: ctx.requested ?? [],
      collections: ctx.collections,
      asOf: ctx.asOf?.toISOString() ?? null,
      ...(ctx.revision
        ? {
            revision: {
              kind: ctx.revision.kind,
              questionId: ctx.revision.questionId,
              answerId: ctx.revision.answerId,
            },
          }
        : {}),
    });
    emit({ event: "meta", data: meta });

    emit({ event: "status", data: { stage: "retrieving" } });
    const history = ctx.history ?? (await exchangeHistory(db, meta, actor));
    const retrieval = await retrieveForActor({
      db,
      store: deps.store,
      embedder: deps.embedder,
      reranker: deps.reranker,
      actor,
      question: retrievalQuery(question.forModel, history),
      collectionIds: ctx.requested ?? undefined,
      scope: ctx.scope,
      limit: PASSAGES_PER_ANSWER,
      ...(ctx.asOf ? { asOf: ctx.asOf } : {}),
    });
    recordRetrieval(retrieval.timings.totalMs);
    const { passages, versions } = await confirmPassages(
      db,
      actor,
      retrieval.hits,
      retrieval.scope.collectionIds,
      ctx.asOf ?? new Date(),
    );
    const retrieved: RetrievedRef[] = passages.map((p) => ({
      chunkId: p.chunkId,
      documentId: p.documentId,
      versionId: p.versionId,
      versionSha256: versions.get(p.versionId)?.sha256 ?? null,
      score: p.score,
      vectorScore: p.vectorScore,
      vectorRank: p.vectorRank,
      textRank: p.textRank,
    }));
    retrievedSoFar = retrieved;
    const model: AnswerModel = { ...deps.generator.identity(), embedderId: deps.embedder.id };
    const timings: Record<string, number> = { retrievalMs: Math.round(retrieval.timings.totalMs) };

    let result: GenerationResult;
    let checked: CheckedAnswer;
    let promptSha256: string | null = null;
    let promptTokens = 0;
    let laterVersions: FinalAnswer["laterVersions"];
    if (passages.length === 0) {
      // Nothing the asker may read clears the relevance floor: say so, and do not call the model.
      // Asked as of a date, the reply also says whether a later version covers the question.
      ctx.release();
      let reply = NOT_COVERED_REPLY;
      if (ctx.asOf) {
        const later = await laterCoverage({
          db,
          store: deps.store,
          embedder: deps.embedder,
          actor,
          question: retrievalQuery(question.forModel, history),
          collectionIds: ctx.requested ?? undefined,
          scope: ctx.scope,
          asOf: ctx.asOf,
        });
        reply = `${NOT_COVERED_REPLY} ${later.sentence}`;
        laterVersions = later.versions;
      }
      emit({ event: "token", data: { text: reply } });
      result = {
        text: reply,
        finishReason: "stop",
        tokens: 0,
        timings: { queueMs: 0, firstTokenMs: null, totalMs: 0 },
      };
      promptTokens = 0;
      checked = {
        text: reply,
        sentences: [{ text: reply, citations: [], support: "uncited", supportScore: 1 }],
        citations: [],
        removed: [],
      };
    } else {
      const prompt = buildPrompt({
        passages: passages.map((p) => ({
          n: p.n,
          text: p.text,
          title: p.title,
          headingPath: p.headingPath,
          pageStart: p.pageStart,
        })),
        history,
        question: question.forModel,
        budget: deps.generator.promptBudget(),
        countTokens: (t) => deps.generator.countTokens(t),
      });
      promptSha256 = prompt.sha256;
      promptTokens = prompt.tokens;
      emit({ event: "status", data: { stage: "generating" } });
      ctx.markRun();
      const inPrompt = new Set(prompt.passages.map((p) => p.n));
      const stream = createStreamGuard(
        {
          passages: passages.filter((p) => inPrompt.has(p.n)),
          question: question.typed,
          maskedQuestionValues: question.maskedFindings,
          detect: deps.privacy.detect,
        },
        (text) => emit({ event: "token", data: { text } }),
      );
      result = await ctx.ticket.run({
        system: prompt.system,
        history: prompt.history,
        question: prompt.question,
        passages: prompt.passages,
        signal: ctx.signal,
        onToken: (text) => stream.push(text),
      });
      stream.end();
      recordGeneration({
        ms: result.timings.totalMs,
        tokens: result.tokens,
        firstTokenMs: result.timings.firstTokenMs,
        kind: deps.generator.kind,
      });
      timings.queueMs = Math.round(result.timings.queueMs);
      if (result.timings.firstTokenMs !== null) timings.firstTokenMs = Math.round(result.timings.firstTokenMs);
      timings.generationMs = Math.round(result.timings.totalMs);
      emit({ event: "status", data: { stage: "checking" } });
      checked = await checkAnswer({
        answer: result.text,
        passages: passages.filter((p) => inPrompt.has(p.n)),
        versions,
        embedder: deps.embedder,
      });
    }
    // What streamed (guarded against every passage in the prompt, lib/chat/stream-guard.ts) is
    // replaced by the text guarded against the cited passages in the final event, the stored
    // message and the record.
    const guarded = guardCheckedAnswer(checked, question, deps.privacy.detect);
    const status = result.finishReason === "abort" ? "stopped" : "complete";
    const flags = guardFlags({
      guarded,
      q: question,
      sentences: guarded.sentences,
      complete: status === "complete" && passages.length > 0,
    });
    timings.totalMs = Math.round(performance.now() - started);
    // An "as of" answer closes by saying which version of each cited document applied then.
    const applied = versionsApplied(checked.citations);
    const closing = ctx.asOf ? appliedSentence(ctx.asOf, applied) : null;
    if (closing) {
      guarded.text = `${guarded.text.trimEnd()}\n\n${closing.text}`;
      guarded.sentences = [...guarded.sentences, closing];
      emit({ event: "token", data: { text: `\n\n${closing.text}` } });
    }

    const final: FinalAnswer = {
      conversationId: meta.conversationId,
      messageId: meta.messageId,
      questionId: meta.questionId,
      answer: guarded.text,
      status,
      finishReason: result.finishReason,
      notCovered: passages.length === 0 || checked.text.trim() === NOT_COVERED_REPLY,
      asOf: ctx.asOf?.toISOString() ?? null,
      versionsApplied: applied,
      ...(laterVersions ? { laterVersions } : {}),
      citations: checked.citations,
      sentences: guarded.sentences,
      model,
      retrievedChunkIds: retrieved.map((r) => r.chunkId),
      usage: { promptTokens, completionTokens: result.tokens },
      timings,
      guard: guardSummary(question, guarded.redacted, flags),
    };
    await ctx.sink.finish(db, { actor, meta, question, retrieved, model, final, flags, promptSha256 });
    emit({ event: "final", data: final });
    recordAnswer(final.status === "stopped" ? "stopped" : final.notCovered ? "not_covered" : "complete");
    return final;
  } catch (err) {
    ctx.release();
    recordAnswer("failed");
    const appError = toAppError(asUnavailable(err));
    if (!appError.expose) log.error("answer failed", { code: appError.code, err: appError.cause ?? appError });
    if (meta) {
      const model = { ...deps.generator.identity(), embedderId: deps.embedder.id };
      await ctx.sink.fail(db, {
        actor,
        meta,
        question,
        retrieved: retrievedSoFar,
        model,
        error: appError.expose ? appError.message : "internal error",
      });
    }
    emit({ event: "error", data: appError.toJSON().error });
    return null;
  }
}
