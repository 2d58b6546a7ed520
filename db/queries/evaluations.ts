import "server-only";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import {
  collections,
  documents,
  evaluationCases,
  evaluationRuns,
  evaluationSettings,
  type ExpectedSource,
} from "../schema";

export const DEFAULT_MIN_RECALL = 0.8;

export async function listEvaluationCases(db: Executor, { collectionId }: { collectionId: string }) {
  return db
    .select({
      id: evaluationCases.id,
      question: evaluationCases.question,
      expected: evaluationCases.expected,
      createdAt: evaluationCases.createdAt,
    })
    .from(evaluationCases)
    .where(eq(evaluationCases.collectionId, collectionId))
    .orderBy(asc(evaluationCases.position));
}

export async function insertEvaluationCases(
  db: Executor,
  rows: { collectionId: string; question: string; expected: ExpectedSource[]; createdBy: string | null }[],
) {
  if (rows.length === 0) return [];
  return db.insert(evaluationCases).values(rows).returning({ id: evaluationCases.id });
}

export async function deleteEvaluationCase(db: Executor, { collectionId, id }: { collectionId: string; id: string }) {
  const rows = await db
    .delete(evaluationCases)
    .where(and(eq(evaluationCases.collectionId, collectionId), eq(evaluationCases.id, id)))
    .returning({ id: evaluationCases.id, question: evaluationCases.question });
  return rows[0] ?? null;
}

export async function getMinRecall(db: Executor, { collectionId }: { collectionId: string }): Promise<number> {
  const [row] = await db
    .select({ minRecall: evaluationSettings.minRecall })
    .from(evaluationSettings)
    .where(eq(evaluationSettings.collectionId, collectionId));
  return row?.minRecall ?? DEFAULT_MIN_RECALL;
}

export async function setMinRecall(
  db: Executor,
  { collectionId, minRecall }: { collectionId: string; minRecall: number },
) {
  await db
    .insert(evaluationSettings)
    .values({ collectionId, minRecall })
    .onConflictDoUpdate({ target: evaluationSettings.collectionId, set: { minRecall, updatedAt: sql`now()` } });
}

/** id → name of the collection's active documents. */
export async function listActiveDocumentNames(db: Executor, { collectionId }: { collectionId: string }) {
  const rows = await db
    .select({ id: documents.id, name: documents.name })
    .from(documents)
    .where(and(eq(documents.collectionId, collectionId), eq(documents.status, "active")));
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function insertEvaluationRun(db: Executor, row: typeof evaluationRuns.$inferInsert) {
  const [created] = await db
    .insert(evaluationRuns)
    .values(row)
    .returning({ id: evaluationRuns.id, createdAt: evaluationRuns.createdAt });
  if (!created) throw new Error("insert into evaluation_runs returned no row");
  return created;
}

const runColumns = {
  id: evaluationRuns.id,
  collectionId: evaluationRuns.collectionId,
  source: evaluationRuns.source,
  embedderId: evaluationRuns.embedderId,
  generatorId: evaluationRuns.generatorId,
  chunkerId: evaluationRuns.chunkerId,
  minRecall: evaluationRuns.minRecall,
  totals: evaluationRuns.totals,
  questions: evaluationRuns.questions,
  passed: evaluationRuns.passed,
  createdAt: evaluationRuns.createdAt,
};

export async function listEvaluationRuns(
  db: Executor,
  { collectionId, limit }: { collectionId: string; limit: number },
) {
  return db
    .select(runColumns)
    .from(evaluationRuns)
    .where(eq(evaluationRuns.collectionId, collectionId))
    .orderBy(desc(evaluationRuns.createdAt), desc(evaluationRuns.id))
    .limit(limit);
}

/** Each collection's latest run, with the collection's name (the overview and the metrics). */
export async function listLatestEvaluationRuns(db: Executor) {
  return db
    .selectDistinctOn([evaluationRuns.collectionId], {
      collectionId: evaluationRuns.collectionId,
      collectionName: collections.name,
      totals: evaluationRuns.totals,
      minRecall: evaluationRuns.minRecall,
      passed: evaluationRuns.passed,
      createdAt: evaluationRuns.createdAt,
    })
    .from(evaluationRuns)
    .innerJoin(collections, eq(collections.id, evaluationRuns.collectionId))
    .orderBy(evaluationRuns.collectionId, desc(evaluationRuns.createdAt), desc(evaluationRuns.id));
}

/** Collections that have at least one golden question, by name. */
export async function listCollectionsWithGoldenSets(db: Executor) {
  return db
    .selectDistinct({ id: collections.id, name: collections.name })
    .from(evaluationCases)
    .innerJoin(collections, eq(collections.id, evaluationCases.collectionId))
    .orderBy(collections.name);
}
