import { CLI_ACTOR } from "@/lib/audit/types";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { insertJob } from "@/db/queries/jobs";
import { createApiKeyForUser } from "@/lib/auth/api-key-admin";
import { checkBearerSecret } from "@/lib/auth/bearer-secret";
import { apiRoute } from "@/lib/auth/guards";
import { INGEST_JOB } from "@/lib/documents/upload";
import { resetEnvCache } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { parsePrometheusText, sampleValue } from "@/lib/testing/prometheus-text";
import { addUser } from "@/lib/users/admin";
import { authRoutePattern, routePattern } from "./http";
import {
  recordAnswer,
  recordAuditAppend,
  recordGeneration,
  recordJobRun,
  recordRetrieval,
  trackGenerator,
  untrackGenerator,
} from "./record";
import { ANSWER_OUTCOMES } from "./registry";
import { renderMetrics } from "./scrape";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

let h: DatabaseHandle;
let adminKey: string;
const DB_KEY = Symbol.for("knowledge-qa.database");
const TOKEN = "metrics-token-for-tests-0123456789";

beforeAll(async () => {
  h = await createTestDatabase();
  // The route handlers take the process's database from lib/server/db; this test's database stands in for it.
  (globalThis as Record<symbol, unknown>)[DB_KEY] = Promise.resolve(h);
  const admin = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    {
      email: "ops@example.org",
      name: "Ops",
      roles: ["admin"],
      password: "a long password",
    },
  );
  adminKey = (await createApiKeyForUser({ actor: CLI_ACTOR, db: h.db }, { userId: admin.id, name: "test" })).key;
});

afterAll(async () => {
  delete (globalThis as Record<symbol, unknown>)[DB_KEY];
  delete process.env.METRICS_TOKEN;
  resetEnvCache();
  await h.close();
});

async function scrape() {
  const { body, contentType } = await renderMetrics({ db: async () => h.db });
  return { body, contentType, families: parsePrometheusText(body) };
}

describe("route patterns", () => {
  const id = randomUUID();

  it("replaces param values with their names and keeps literal segments", () => {
    expect(routePattern(`/api/documents/${id}/file`, { id })).toBe("/api/documents/:id/file");
    const grantId = randomUUID();
    expect(routePattern(`/api/collections/${id}/grants/${grantId}`, { id, grantId })).toBe(
      "/api/collections/:id/grants/:grantId",
    );
    expect(routePattern("/api/users", {})).toBe("/api/users");
    expect(routePattern("/api/users/", {})).toBe("/api/users");
  });

  it("matches percent-encoded segments and folds catch-alls into one segment", () => {
    expect(routePattern("/api/things/a%20b/x", { name: "a b" })).toBe("/api/things/:name/x");
    expect(routePattern("/api/files/a/b/c", { path: ["a", "b", "c"] })).toBe("/api/files/:path*");
  });

  it("keeps Auth.js action names and drops whatever follows them", () => {
    expect(authRoutePattern("/api/auth/session")).toBe("/api/auth/session");
    expect(authRoutePattern("/api/auth/callback/credentials")).toBe("/api/auth/callback/:provider");
    expect(authRoutePattern(`/api/auth/${id}`)).toBe("/api/auth/:action");
  });
});

describe("bearer secrets", () => {
  it("tells a missing, malformed, wrong and right token apart", () => {
    expect(checkBearerSecret(null, TOKEN)).toBe("missing");
    expect(checkBearerSecret("Basic abc", TOKEN)).toBe("malformed");
    expect(checkBearerSecret(`Bearer ${TOKEN}x`, TOKEN)).toBe("mismatch");
    expect(checkBearerSecret("Bearer short", TOKEN)).toBe("mismatch");
    expect(checkBearerSecret(`bearer ${TOKEN}`, TOKEN)).toBe("ok");
  });
});

describe("the exposition", () => {
  it("is valid text format with the process metrics and every answer outcome from the start", async () => {
    const { families, contentType } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
      "nodejs_heap_size_used_bytes",
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    for (const outcome of ANSWER_OUTCOMES)
      expect(sampleValue(families, "kq_answers_total", { outcome })).toBeGreaterThanOrEqual(0);
  });

  it("counts jobs in Postgres by kind and status at scrape time, zero-filling the ingestion queue", async () => {
    const before = await scrape();
    expect(sampleValue(before.families, "kq_jobs", { kind: INGEST_JOB, status: "failed" })).toBe(0);
    await insertJob(h.db, { kind: INGEST_JOB, payload: {} });
    await insertJob(h.db, { kind: INGEST_JOB, payload: {} });
    await insertJob(h.db, { kind: "reindex", payload: {} });
    const { families } = await scrape();
    expect(sampleValue(families, "kq_jobs", { kind: INGEST_JOB, status: "queued" })).toBe(2);
    expect(sampleValue(families, "kq_jobs", { kind: INGEST_JOB, status: "running" })).toBe(0);
    expect(sampleValue(families, "kq_jobs", { kind: "reindex", status: "queued" })).toBe(1);
  });

  it("still answers when the database cannot be read, leaving the job counts out", async () => {
    const { body } = await renderMetrics({
      db: async () => {
        throw new Error("connection refused");
      },
    });
    const families = parsePrometheusText(body);
    expect(families.get("kq_jobs")!.samples).toEqual([]);
    expect(sampleValue(families, "kq_metrics_scrape_errors_total", { source: "jobs" })).toBeGreaterThanOrEqual(1);
    expect(families.has("process_resident_memory_bytes")).toBe(true);
  });

  it("records retrieval, generation, answers, audit appends and job runs in seconds", async () => {
    const before = (await scrape()).families;
    const count = (f: typeof before, name: string, labels: Record<string, string> = {}) =>
      sampleValue(f, name, labels) ?? 0;
    recordRetrieval(120);
    recordGeneration({ ms: 2000, tokens: 40, firstTokenMs: 300, kind: "llama" });
    recordGeneration({ ms: 0, tokens: 0, firstTokenMs: null, kind: "llama" });
    recordAnswer("complete");
    recordAnswer("not_covered");
    recordAuditAppend(4);
    recordJobRun({ kind: INGEST_JOB, outcome: "succeeded", ms: 1500 });
    const after = (await scrape()).families;

    expect(
      count(after, "kq_retrieval_duration_seconds_count") - count(before, "kq_retrieval_duration_seconds_count"),
    ).toBe(1);
    expect(
      count(after, "kq_retrieval_duration_seconds_sum") - count(before, "kq_retrieval_duration_seconds_sum"),
    ).toBeCloseTo(0.12);
    expect(
      count(after, "kq_generation_duration_seconds_count", { kind: "llama" }) -
        count(before, "kq_generation_duration_seconds_count", { kind: "llama" }),
    ).toBe(2);
    // The empty generation has no first token and no rate.
    expect(
      count(after, "kq_generation_time_to_first_token_seconds_count", { kind: "llama" }) -
        count(before, "kq_generation_time_to_first_token_seconds_count", { kind: "llama" }),
    ).toBe(1);
    expect(
      count(after, "kq_generation_tokens_per_second_sum", { kind: "llama" }) -
        count(before, "kq_generation_tokens_per_second_sum", { kind: "llama" }),
    ).toBeCloseTo(20);
    expect(
      count(after, "kq_generated_tokens_total", { kind: "llama" }) -
        count(before, "kq_generated_tokens_total", { kind: "llama" }),
    ).toBe(40);
    expect(
      count(after, "kq_answers_total", { outcome: "complete" }) -
        count(before, "kq_answers_total", { outcome: "complete" }),
    ).toBe(1);
    expect(
      count(after, "kq_answers_total", { outcome: "not_covered" }) -
        count(before, "kq_answers_total", { outcome: "not_covered" }),
    ).toBe(1);
    expect(
      count(after, "kq_audit_append_duration_seconds_bucket", { le: "0.005" }) -
        count(before, "kq_audit_append_duration_seconds_bucket", { le: "0.005" }),
    ).toBe(1);
    expect(count(after, "kq_job_duration_seconds_sum", { kind: INGEST_JOB, outcome: "succeeded" })).toBeCloseTo(
      1.5 + count(before, "kq_job_duration_seconds_sum", { kind: INGEST_JOB, outcome: "succeeded" }),
    );
  });

  it("reads the generator's queue only once the process has a generator", async () => {
    untrackGenerator();
    expect((await scrape()).families.get("kq_generation_queue_depth")!.samples).toEqual([]);
    let queued = 3;
    // The scrape reads Generator.status(); the real generators live on another branch of the code.
    trackGenerator({
      status: () => ({ kind: "llama", active: 2, parallel: 2, queued, maxQueue: 8 }),
      identity: () => {
        throw new Error("a scrape does not need the model's identity");
      },
    });
    let families = (await scrape()).families;
    expect(sampleValue(families, "kq_generation_queue_depth", { kind: "llama" })).toBe(3);
    expect(sampleValue(families, "kq_generation_active", { kind: "llama" })).toBe(2);
    expect(sampleValue(families, "kq_generation_queue_limit", { kind: "llama" })).toBe(8);
    queued = 0;
    families = (await scrape()).families;
    expect(sampleValue(families, "kq_generation_queue_depth", { kind: "llama" })).toBe(0);
    untrackGenerator();
  });
});

describe("HTTP instrumentation", () => {
  it("labels every apiRoute request with its route pattern and status, never an id", async () => {
    const documentId = randomUUID();
    const handler = apiRoute<{ id: string }>({ roles: "admin" }, async ({ params }) => ({ id: params.id }));
    const call = (key: string) =>
      handler(
        new Request(`http://localhost/api/documents/${documentId}/file`, {
          headers: { authorization: `Bearer ${key}` },
        }),
        {
          params: Promise.resolve({ id: documentId }),
        },
      );
    expect((await call(adminKey)).status).toBe(200);
    expect((await call("kq_notakey")).status).toBe(401);

    const { body, families } = await scrape();
    const route = "/api/documents/:id/file";
    expect(
      sampleValue(families, "kq_http_request_duration_seconds_count", { method: "GET", route, status: "200" }),
    ).toBe(1);
    expect(
      sampleValue(families, "kq_http_request_duration_seconds_count", { method: "GET", route, status: "401" }),
    ).toBe(1);
    expect(body).not.toContain(documentId);
  });

  it("serves /api/metrics only to the metrics token: never to a session or an API key", async () => {
    const { GET } = await import("@/app/api/metrics/route");
    const get = (authorization?: string) =>
      GET(new Request("http://localhost/api/metrics", { headers: authorization ? { authorization } : {} }));

    delete process.env.METRICS_TOKEN;
    resetEnvCache();
    const off = await get(`Bearer ${TOKEN}`);
    expect(off.status).toBe(404);
    expect(((await off.json()) as { error: { message: string } }).error.message).toMatch(/METRICS_TOKEN/);

    process.env.METRICS_TOKEN = TOKEN;
    resetEnvCache();
    const missing = await get();
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    expect(await missing.json()).toMatchObject({ error: { code: "unauthorized" } });
    const wrong = await get(`Bearer ${TOKEN.slice(0, -1)}`);
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({
      error: { code: "forbidden", message: "The metrics token is not valid." },
    });
    expect((await get(`Bearer ${adminKey}`)).status).toBe(403);

    const ok = await get(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(await ok.text());
    // The refused scrapes were measured too, under the route's own name.
    expect(
      sampleValue(families, "kq_http_request_duration_seconds_count", {
        method: "GET",
        route: "/api/metrics",
        status: "403",
      }),
    ).toBe(2);
  });
});

describe("the test parser", () => {
  it("rejects what Prometheus would reject", () => {
    expect(() => parsePrometheusText("a 1\n")).toThrow(/no # TYPE/);
    expect(() => parsePrometheusText('# TYPE a counter\na{x="1"} one\n')).toThrow(/not a number/);
    expect(() => parsePrometheusText("# TYPE a counter\na 1\na 2\n")).toThrow(/twice/);
    expect(() =>
      parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
    ).toThrow(/cumulative/);
    expect(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n')).toThrow(
      /differs/,
    );
    expect(() => parsePrometheusText("# TYPE a gauge\na 1")).toThrow(/newline/);
  });
});
