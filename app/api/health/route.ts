import { sql } from "drizzle-orm";
import { getDatabaseHandle } from "@/lib/server/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { instrumentRoute } from "@/lib/metrics/http";
import { secured } from "@/lib/server/security-context";
import { probeConfiguredModelServer } from "@/lib/models/model-server-client";
import { APP_VERSION } from "@/lib/version";

// Unauthenticated on purpose (load balancers and monitors call it); says nothing sensitive.
export const dynamic = "force-dynamic";

export const GET = instrumentRoute("/api/health", async (req: Request): Promise<Response> => {
  const started = performance.now();
  let database: { reachable: boolean; kind?: string; latencyMs?: number } = { reachable: false };
  try {
    const handle = await getDatabaseHandle();
    await handle.db.execute(sql`select 1`);
    database = { reachable: true, kind: handle.kind, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    log.warn("health check: database unreachable", { err });
  }
  // Only whether it answers: the route is open, so the server's address and model stay off it.
  const e = env();
  const modelServer = e.MODEL_SERVER_URL
    ? await probeConfiguredModelServer(e).then((p) => {
        if (!p.reachable || p.error) log.warn("health check: model server not answering", { error: p.error });
        return { reachable: p.reachable && !p.error, latencyMs: p.latencyMs };
      })
    : undefined;
  // The app still serves documents and history without its model server, so only the database
  // decides the HTTP status; a silent model server makes the status "degraded".
  const status = database.reachable && (modelServer?.reachable ?? true) ? "ok" : "degraded";
  return secured(
    req,
    Response.json(
      { status, version: APP_VERSION, database, ...(modelServer ? { modelServer } : {}) },
      { status: database.reachable ? 200 : 503 },
    ),
  );
});
