import "server-only";
import type { Generator, GeneratorKind } from "@/lib/models/generator";
import { processMetrics, safely, type AnswerOutcome } from "./registry";

// What the rest of the server calls to feed the metrics. Each takes milliseconds (what
// performance.now() differences give) and converts: Prometheus convention is seconds. None of
// them throws into the caller's path.

const seconds = (ms: number) => Math.max(0, ms) / 1000;

/** Retrieval for one question, in ms. */
export function recordRetrieval(ms: number): void {
  safely("retrieval", () => processMetrics().retrieval.observe(seconds(ms)));
}

export interface GenerationSample {
  /** From getting a generation slot to the last token (GenerationResult.timings.totalMs). */
  ms: number;
  tokens: number;
  /** GenerationResult.timings.firstTokenMs; null when nothing was produced. */
  firstTokenMs: number | null;
  kind: GeneratorKind;
}

/** One generation, whatever its outcome. */
export function recordGeneration({ ms, tokens, firstTokenMs, kind }: GenerationSample): void {
  safely("generation", () => {
    const m = processMetrics();
    m.generation.observe({ kind }, seconds(ms));
    if (firstTokenMs !== null) m.firstToken.observe({ kind }, seconds(firstTokenMs));
    if (tokens > 0) {
      m.tokens.inc({ kind }, tokens);
      if (ms > 0) m.tokensPerSecond.observe({ kind }, tokens / seconds(ms));
    }
  });
}

/** One question's outcome (see ANSWER_OUTCOMES). */
export function recordAnswer(outcome: AnswerOutcome): void {
  safely("answer", () => processMetrics().answers.inc({ outcome }));
}

/** One append to the audit trail, lock wait included. */
export function recordAuditAppend(ms: number): void {
  safely("audit append", () => processMetrics().auditAppend.observe(seconds(ms)));
}

export type JobRunOutcome = "succeeded" | "failed" | "retry" | "lost";

/** One run of a queued job in this process (lib/jobs/worker.ts). */
export function recordJobRun({ kind, outcome, ms }: { kind: string; outcome: JobRunOutcome; ms: number }): void {
  safely("job run", () => processMetrics().jobDuration.observe({ kind, outcome }, seconds(ms)));
}

// ---- the process's generator, read at scrape time ---------------------------------------------

const GENERATOR = Symbol.for("knowledge-qa.metrics.generator");
/** What scrapes and the admin overview read from the process's generator. */
export type TrackedGenerator = Pick<Generator, "status" | "identity">;
type Holder = { [GENERATOR]?: TrackedGenerator };

/**
 * Lets scrapes (and the admin overview) read this generator's queue and identity. Called once the
 * process's generator exists; neither ever creates one, because that would load a model to answer
 * a monitoring request.
 */
export function trackGenerator(generator: TrackedGenerator): void {
  (globalThis as Holder)[GENERATOR] = generator;
}

/** The generator a scrape may read, if this process has created one. */
export function trackedGenerator(): TrackedGenerator | null {
  return (globalThis as Holder)[GENERATOR] ?? null;
}

/** For tests: forget the tracked generator. */
export function untrackGenerator(): void {
  delete (globalThis as Holder)[GENERATOR];
}
