import "server-only";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Generator } from "./generator";

// The model server's own Prometheus registry (it runs as its own process on a GPU node, apart
// from the app's registry): requests by outcome, tokens, generation and first-token times, and
// the queue, read from the generator at scrape time.

export type ModelServerMetrics = ReturnType<typeof createModelServerMetrics>;

export function createModelServerMetrics(generator: Generator) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const p = "kq_model_server_";
  const requests = new Counter({
    name: `${p}requests_total`,
    help: "Chat completion requests, by outcome: complete, length (stopped at max_tokens), aborted (the client went away), rejected (429), failed, invalid.",
    labelNames: ["outcome"] as const,
    registers,
  });
  for (const outcome of ["complete", "length", "aborted", "rejected", "failed", "invalid"])
    requests.inc({ outcome }, 0);
  const tokens = new Counter({ name: `${p}generated_tokens_total`, help: "Tokens generated.", registers });
  const duration = new Histogram({
    name: `${p}generation_duration_seconds`,
    help: "Time from a request's start to its last token.",
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
    registers,
  });
  const firstToken = new Histogram({
    name: `${p}time_to_first_token_seconds`,
    help: "Time from a request's start (queue wait included) to its first token.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60],
    registers,
  });
  new Gauge({
    name: `${p}active`,
    help: "Generations running now.",
    registers,
    collect() {
      this.set(generator.status().active);
    },
  });
  new Gauge({
    name: `${p}queued`,
    help: "Requests waiting for a sequence.",
    registers,
    collect() {
      this.set(generator.status().queued);
    },
  });
  new Gauge({
    name: `${p}parallel`,
    help: "Generations that may run at once (context sequences).",
    registers,
    collect() {
      this.set(generator.status().parallel);
    },
  });
  return { registry, requests, tokens, duration, firstToken };
}
