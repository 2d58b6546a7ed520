import { getDb } from "@/lib/server/db";
import { secretRoute } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { renderMetrics } from "@/lib/metrics/scrape";

export const dynamic = "force-dynamic";

/** Prometheus scrape: `Authorization: Bearer <METRICS_TOKEN>` → the text exposition format. */
export const GET = secretRoute(
  {
    route: "/api/metrics",
    realm: "metrics",
    secret: () => env().METRICS_TOKEN,
    disabled: "Metrics are switched off on this server: set METRICS_TOKEN to enable GET /api/metrics.",
  },
  async () => {
    const { body, contentType } = await renderMetrics({ db: getDb });
    return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  },
);
