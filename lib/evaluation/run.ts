import "server-only";
import type { Database } from "@/db/client";
import { getRetrievedVersions } from "@/db/queries/documents";
import {
  getMinRecall,
  insertEvaluationRun,
  listActiveDocumentNames,
  listEvaluationCases,
} from "@/db/queries/evaluations";
import { listGroups } from "@/db/queries/groups";
import { appendAudit } from "@/lib/audit/log";
import { PASSAGES_PER_ANSWER } from "@/lib/chat/ask";
import { AppError } from "@/lib/errors";
import type { Embedder } from "@/lib/models/embedder";
import { isQueueFullError, type GenerationTicket, type Generator } from "@/lib/models/generator";
import { checkAnswer, type VersionFacts } from "@/lib/rag/cite";
import { CHUNKER_ID } from "@/lib/rag/chunking";
import { buildPrompt, NOT_COVERED_REPLY } from "@/lib/rag/prompt";
import { searchPassages } from "@/lib/rag/retrieve";
import { toPromptPassage, toRetrievedPassage } from "@/lib/rag/passages";
import type { RetrievedPassage } from "@/lib/rag/types";
import type { ChunkStore } from "@/lib/vector/store";
import { authorizeEvaluation, type EvaluationContext } from "./access";
import type { GoldenCase } from "./golden";
import { scoreQuestion, totalsOf } from "./score";
import type { EvaluationIdentity, EvaluationReport } from "./types";

// Runs a collection's golden questions through retrieval and answering as they are served (the
// hybrid search with its floor, the prompt, the configured generator, the citation check) and
// keeps the scores with the identities of the embedder, generator and chunker that produced them.
// It reads every current passage of the collection, restricted ones too, as the set is meant to
// judge the index; what it stores and returns is names and numbers only.

export interface EvaluationEngines {
  store: ChunkStore;
  embedder: Embedder;
  generator: Generator;
}

export interface RunEvaluationInput {
  collectionId: string;
  /** Questions from a file; the collection's golden set when left out. */
  cases?: GoldenCase[];
  /** Overrides the collection's pass mark for this run. */
  minRecall?: number;
  /** Describes where `cases` came from, e.g. the file name. */
  source?: string;
}

/** Passages retrieved per question: enough distinct documents for nDCG@10. */
const RETRIEVAL_DEPTH = 30;
/** How long one question may wait for a place in a busy answer queue. */
const QUEUE_WAIT_MS = 60_000;

export function generatorIdOf(generator: Generator): string {
  const id = generator.identity();
  if (id.kind === "extractive") return "extractive";
  const model = id.modelId ?? id.modelFile ?? "unknown";
  return `${id.kind}:${model}${id.modelSha256 ? `@sha256:${id.modelSha256.slice(0, 12)}` : ""}`;
}

export function identityOf(engines: EvaluationEngines): EvaluationIdentity {
  return { embedderId: engines.embedder.id, generatorId: generatorIdOf(engines.generator), chunkerId: CHUNKER_ID };
}

async function reserve(generator: Generator): Promise<GenerationTicket> {
  const deadline = Date.now() + QUEUE_WAIT_MS;
  for (;;) {
    try {
      return generator.reserve();
    } catch (err) {
      if (!isQueueFullError(err) || Date.now() > deadline) {
        if (isQueueFullError(err))
          throw new AppError(
            "rate_limited",
            "The answer queue stayed full for a minute; run the evaluation when it is quieter.",
            {
              cause: err,
            },
          );
        throw err;
      }
      await new Promise((r) => setTimeout(r, Math.min(5_000, err.retryAfterSeconds * 1000)));
    }
  }
}

/** Scores without recording a run: for an index that is not live yet (a staged reindex). */
export async function scoreEvaluation(ctx: EvaluationContext, engines: EvaluationEngines, input: RunEvaluationInput) {
  const { db } = ctx;
  const collection = await authorizeEvaluation(ctx, input.collectionId);
  const cases = input.cases ?? (await listEvaluationCases(db, { collectionId: collection.id }));
  if (cases.length === 0)
    throw new AppError(
      "invalid_request",
      `The collection "${collection.name}" has no golden questions yet. Add some, or pass a golden file.`,
    );
  const minRecall = input.minRecall ?? (await getMinRecall(db, { collectionId: collection.id }));
  const names = await listActiveDocumentNames(db, { collectionId: collection.id });
  const groupIds = (await listGroups(db)).map((g) => g.id);

  const scores = [];
  for (const c of cases) {
    scores.push(await scoreCase(db, engines, { collectionId: collection.id, groupIds, names }, c));
  }
  const totals = totalsOf(scores);
  const questions = scores.map(({ citations: _c, correctCitations: _cc, ...q }) => q);
  return {
    collection,
    source: input.cases ? (input.source ?? "file") : "golden set",
    identity: identityOf(engines),
    minRecall,
    passed: totals.recallAt5 >= minRecall,
    totals,
    questions,
  };
}

export async function runEvaluation(
  ctx: EvaluationContext,
  engines: EvaluationEngines,
  input: RunEvaluationInput,
): Promise<EvaluationReport> {
  const { db } = ctx;
  const { collection, source, identity, minRecall, passed, totals, questions } = await scoreEvaluation(
    ctx,
    engines,
    input,
  );

  const run = await db.transaction(async (tx) => {
    const created = await insertEvaluationRun(tx, {
      collectionId: collection.id,
      startedBy: ctx.actor === "cli" ? null : ctx.actor.id,
      source,
      ...identity,
      minRecall,
      totals,
      questions,
      passed,
    });
    await appendAudit(tx, {
      type: "evaluation.run",
      actorId: ctx.actor === "cli" ? null : ctx.actor.id,
      actorEmail: ctx.actor === "cli" ? null : ctx.actor.email,
      subject: { collectionId: collection.id },
      payload: {
        runId: created.id,
        source,
        ...identity,
        minRecall,
        passed,
        totals,
        via: ctx.actor === "cli" ? "cli" : ctx.actor.via,
      },
    });
    return created;
  });

  return {
    runId: run.id,
    collection: { id: collection.id, name: collection.name },
    source,
    ...identity,
    minRecall,
    passed,
    totals,
    questions,
    createdAt: run.createdAt.toISOString(),
  };
}

interface Scope {
  collectionId: string;
  groupIds: string[];
  names: Map<string, string>;
}

async function scoreCase(db: Database, engines: EvaluationEngines, scope: Scope, c: GoldenCase) {
  const found = await searchPassages({
    store: engines.store,
    embedder: engines.embedder,
    access: { collectionIds: [scope.collectionId], groupIds: scope.groupIds },
    question: c.question,
    limit: RETRIEVAL_DEPTH,
  });
  // Only what a reader could be answered from: the current version of an active document.
  const versionRows = await getRetrievedVersions(db, { versionIds: [...new Set(found.hits.map((h) => h.versionId))] });
  const current = new Map(
    versionRows
      .filter((v) => v.documentStatus === "active" && v.currentVersionId === v.versionId)
      .map((v) => [v.versionId, v]),
  );
  const hits = found.hits.filter((h) => current.has(h.versionId));

  const passages: RetrievedPassage[] = hits
    .slice(0, PASSAGES_PER_ANSWER)
    .map((h, i) => toRetrievedPassage(h, i + 1, scope.collectionId));

  let citedDocumentIds: string[] = [];
  let notCovered = passages.length === 0;
  if (!notCovered) {
    const generator = engines.generator;
    const prompt = buildPrompt({
      passages: passages.map(toPromptPassage),
      history: [],
      question: c.question,
      budget: generator.promptBudget(),
      countTokens: (t) => generator.countTokens(t),
    });
    const ticket = await reserve(generator);
    const result = await ticket.run({
      system: prompt.system,
      history: prompt.history,
      question: prompt.question,
      passages: prompt.passages,
    });
    const inPrompt = new Set(prompt.passages.map((p) => p.n));
    const versions = new Map<string, VersionFacts>(
      [...current.values()].map((v) => [v.versionId, { versionNumber: v.versionNumber, sha256: v.sha256 }]),
    );
    const checked = await checkAnswer({
      answer: result.text,
      passages: passages.filter((p) => inPrompt.has(p.n)),
      versions,
      embedder: engines.embedder,
    });
    citedDocumentIds = checked.citations.map((x) => x.documentId);
    notCovered = checked.text.trim().startsWith(NOT_COVERED_REPLY);
  }

  return scoreQuestion({
    question: c.question,
    expected: c.expected,
    names: scope.names,
    ranked: hits.map((h) => ({ documentId: h.documentId, text: h.text })),
    notCovered,
    citedDocumentIds,
  });
}
