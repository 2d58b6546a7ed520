import { sql } from "drizzle-orm";
import { getDatabaseHandle } from "@/db/runtime";
import { log } from "@/lib/log";
import { instrumentRoute } from "@/lib/metrics/http";
import { APP_VERSION } from "@/lib/version";

// Unauthenticated on purpose (load balancers and monitors call it); says nothing sensitive.
export const dynamic = "force-dynamic";

export const GET = instrumentRoute("/api/health", async (): Promise<Response> => {
  const started = performance.now();
  let database: { reachable: boolean; kind?: string; latencyMs?: number } = { reachable: false };
  try {
    const handle = await getDatabaseHandle();
    await handle.db.execute(sql`select 1`);
    database = { reachable: true, kind: handle.kind, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    log.warn("health check: database unreachable", { err });
  }
  const status = database.reachable ? "ok" : "degraded";
  return Response.json({ status, version: APP_VERSION, database }, { status: database.reachable ? 200 : 503 });
});
