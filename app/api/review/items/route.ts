import { apiRoute } from "@/lib/auth/guards";
import { listReviewQueue, parseReviewQueueFilters } from "@/lib/review/queue";

/** The review queue, newest first: `status` (open, escalated, resolved, all; default open), `reason`, paging `before=<number>&limit=`. */
export const GET = apiRoute({ roles: "compliance" }, async ({ req, db }) => {
  const filters = parseReviewQueueFilters(new URL(req.url).searchParams);
  return listReviewQueue(db, filters);
});
