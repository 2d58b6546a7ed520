import "server-only";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { log } from "@/lib/log";

// One Prometheus registry per process, kept on globalThis: Next.js may evaluate this module in
// several bundles (instrumentation, routes, pages), and a second registry would split the
// counters between them and register the default process metrics twice.

/** Every metric this product defines starts with this; the default process metrics keep their usual names. */
export const METRIC_PREFIX = "kq_";

/** The answer outcomes counted by kq_answers_total; every one is exported from the start, at 0. */
export const ANSWER_OUTCOMES = ["complete", "stopped", "failed", "not_covered", "refused"] as const;
export type AnswerOutcome = (typeof ANSWER_OUTCOMES)[number];

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const RETRIEVAL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const GENERATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
const FIRST_TOKEN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60];
const TOKENS_PER_SECOND_BUCKETS = [1, 2, 5, 10, 20, 30, 50, 75, 100, 200, 500];
const JOB_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const AUDIT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

function create() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const p = METRIC_PREFIX;
  const answers = new Counter({
    name: `${p}answers_total`,
    help: "Questions answered, by outcome: complete, stopped (by the asker), failed, not_covered (nothing readable cleared the relevance floor), refused (turned away without an answer).",
    labelNames: ["outcome"] as const,
    registers,
  });
  for (const outcome of ANSWER_OUTCOMES) answers.inc({ outcome }, 0);

  return {
    registry,
    httpDuration: new Histogram({
      name: `${p}http_request_duration_seconds`,
      help: "Time to answer an HTTP request (to the response head for streamed answers), by method, route pattern and status.",
      labelNames: ["method", "route", "status"] as const,
      buckets: HTTP_BUCKETS,
      registers,
    }),
    retrieval: new Histogram({
      name: `${p}retrieval_duration_seconds`,
      help: "Time to retrieve the passages for one question (access scope, embedding, vector and full-text search, fusion).",
      buckets: RETRIEVAL_BUCKETS,
      registers,
    }),
    generation: new Histogram({
      name: `${p}generation_duration_seconds`,
      help: "Time one answer spent generating, from getting a generation slot to the last token (queue wait excluded), by generator kind.",
      labelNames: ["kind"] as const,
      buckets: GENERATION_BUCKETS,
      registers,
    }),
    firstToken: new Histogram({
      name: `${p}generation_time_to_first_token_seconds`,
      help: "Time from the start of generation to the first streamed token, by generator kind.",
      labelNames: ["kind"] as const,
      buckets: FIRST_TOKEN_BUCKETS,
      registers,
    }),
    tokensPerSecond: new Histogram({
      name: `${p}generation_tokens_per_second`,
      help: "Tokens produced per second of generation, per answer, by generator kind.",
      labelNames: ["kind"] as const,
      buckets: TOKENS_PER_SECOND_BUCKETS,
      registers,
    }),
    tokens: new Counter({
      name: `${p}generated_tokens_total`,
      help: "Tokens produced by the generator, by generator kind.",
      labelNames: ["kind"] as const,
      registers,
    }),
    answers,
    generatorActive: new Gauge({
      name: `${p}generation_active`,
      help: "Answers generating now in this process (absent until the first question loads the generator).",
      labelNames: ["kind"] as const,
      registers,
    }),
    generatorQueued: new Gauge({
      name: `${p}generation_queue_depth`,
      help: "Answers waiting for a free generation slot in this process.",
      labelNames: ["kind"] as const,
      registers,
    }),
    generatorParallel: new Gauge({
      name: `${p}generation_slots`,
      help: "Answers this process may generate at once.",
      labelNames: ["kind"] as const,
      registers,
    }),
    generatorMaxQueue: new Gauge({
      name: `${p}generation_queue_limit`,
      help: "Answers that may wait before new questions are refused with 429.",
      labelNames: ["kind"] as const,
      registers,
    }),
    jobs: new Gauge({
      name: `${p}jobs`,
      help: "Jobs in the shared Postgres queue by kind and status (all processes), read at scrape time.",
      labelNames: ["kind", "status"] as const,
      registers,
    }),
    jobDuration: new Histogram({
      name: `${p}job_duration_seconds`,
      help: "Time one run of a job took in this process, by kind and outcome (succeeded, failed, retry, lost).",
      labelNames: ["kind", "outcome"] as const,
      buckets: JOB_BUCKETS,
      registers,
    }),
    auditAppend: new Histogram({
      name: `${p}audit_append_duration_seconds`,
      help: "Time to append one event to the hash-chained audit trail, lock wait included.",
      buckets: AUDIT_BUCKETS,
      registers,
    }),
    evaluationRecall: new Gauge({
      name: `${p}evaluation_recall_at_5`,
      help: "Recall@5 of each evaluated collection's latest golden-set run (all processes), read at scrape time.",
      labelNames: ["collection"] as const,
      registers,
    }),
    evaluationBelowPassMark: new Gauge({
      name: `${p}evaluation_below_pass_mark`,
      help: "1 when a collection's latest evaluation scored below its pass mark, else 0.",
      labelNames: ["collection"] as const,
      registers,
    }),
    scrapeErrors: new Counter({
      name: `${p}metrics_scrape_errors_total`,
      help: "Scrape-time readings that failed (the metric is then left out of that scrape), by source.",
      labelNames: ["source"] as const,
      registers,
    }),
  };
}

export type ProcessMetrics = ReturnType<typeof create>;

const KEY = Symbol.for("knowledge-qa.metrics");
type Holder = { [KEY]?: ProcessMetrics };

export function processMetrics(): ProcessMetrics {
  const holder = globalThis as Holder;
  holder[KEY] ??= create();
  return holder[KEY];
}

/**
 * Runs a recording step. Recording is never worth a failed request or answer; the only failure
 * possible here is a programming error (a bad label), which is logged.
 */
export function safely(what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log.warn("could not record a metric", { metric: what, err });
  }
}
