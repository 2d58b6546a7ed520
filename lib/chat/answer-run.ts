import "server-only";
import { type ReadScope } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/actor";
import { toAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { recordAnswer, recordGeneration, recordRetrieval } from "@/lib/metrics/record";
import { type ChatTurn, type GenerationResult, type GenerationTicket } from "@/lib/models/generator";
import { checkAnswer, type CheckedAnswer } from "@/lib/rag/cite";
import { buildPrompt, NOT_COVERED_REPLY } from "@/lib/rag/prompt";
import { retrievalQuery } from "@/lib/rag/follow-up";
import { retrieveForActor } from "@/lib/rag/retrieve";
import { appliedSentence, laterCoverage, versionsApplied } from "./as-of";
import { confirmPassages } from "./confirm";
import { asUnavailable } from "./unavailable";
import { guardCheckedAnswer, guardFlags, guardSummary, type ScreenedQuestion } from "./guard";
import { exchangeHistory, type ExchangeSink } from "./exchange";
import { type RevisionTarget } from "./revise";
import { createStreamGuard } from "./stream-guard";
import type { AnswerModel, ChatEvent, ChatMeta, FinalAnswer, RetrievedRef } from "./types";
import type { AskDeps } from "./ask";
import { toPromptPassage } from "@/lib/rag/passages";

// The streamed half of a question (lib/chat/ask.ts admits it): open the exchange, retrieve within
// the scope admitted, prompt, generate, check the citations, guard and store the answer.

/** Passages handed to the prompt. More cost context and rarely add an answer. */
export const PASSAGES_PER_ANSWER = 8;

export type GuardedDeps = AskDeps & Required<Pick<AskDeps, "privacy">>;

export interface AnswerContext {
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

export async function answer(ctx: AnswerContext): Promise<FinalAnswer | null> {
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
        passages: passages.map(toPromptPassage),
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
