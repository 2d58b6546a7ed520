import { sql } from "drizzle-orm";
import { bigserial, boolean, check, index, jsonb, pgTable, real, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { collections } from "./collections";
import { users } from "./users";

// A collection's golden questions and the runs that scored retrieval and answers against them
// (lib/evaluation). Runs keep the identities of what produced them, so a change of embedder,
// generator or chunker shows its effect beside the run before it.

/** What must support an answer: a document by name, optionally narrowed to passages holding one of the phrases. */
export interface ExpectedSource {
  document: string;
  phrases?: string[];
}

export const evaluationCases = pgTable(
  "evaluation_cases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Keeps the order the questions were added in, also for those added in one transaction. */
    position: bigserial("position", { mode: "number" }).notNull(),
    collectionId: uuid("collection_id")
      .notNull()
      .references(() => collections.id, { onDelete: "cascade" }),
    question: text("question").notNull(),
    expected: jsonb("expected").$type<ExpectedSource[]>().notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("evaluation_cases_collection_idx").on(t.collectionId, t.position)],
);

/** The collection's pass mark: a run below it flags the collection. */
export const evaluationSettings = pgTable(
  "evaluation_settings",
  {
    collectionId: uuid("collection_id")
      .primaryKey()
      .references(() => collections.id, { onDelete: "cascade" }),
    minRecall: real("min_recall").notNull().default(0.8),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("evaluation_settings_min_recall", sql`${t.minRecall} >= 0 and ${t.minRecall} <= 1`)],
);

export const evaluationRuns = pgTable(
  "evaluation_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    collectionId: uuid("collection_id")
      .notNull()
      .references(() => collections.id, { onDelete: "cascade" }),
    startedBy: uuid("started_by").references(() => users.id, { onDelete: "set null" }),
    /** Where the questions came from: the collection's golden set or a file given to the CLI. */
    source: text("source").notNull(),
    embedderId: text("embedder_id").notNull(),
    generatorId: text("generator_id").notNull(),
    chunkerId: text("chunker_id").notNull(),
    minRecall: real("min_recall").notNull(),
    /** EvaluationTotals (lib/evaluation/types.ts). */
    totals: jsonb("totals").notNull(),
    /** QuestionScore[] (lib/evaluation/types.ts): names and numbers only, never document text. */
    questions: jsonb("questions").notNull(),
    passed: boolean("passed").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("evaluation_runs_collection_idx").on(t.collectionId, t.createdAt)],
);

export type EvaluationCase = typeof evaluationCases.$inferSelect;
export type EvaluationRun = typeof evaluationRuns.$inferSelect;
