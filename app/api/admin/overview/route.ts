import { currentOverview } from "@/lib/admin/current-overview";
import { apiRoute } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

/** Counts, storage, recent jobs and failures, and model status, read now. */
export const GET = apiRoute({ roles: "admin" }, async () => currentOverview());
