import { apiRoute } from "@/lib/auth/guards";
import { parseReviewQueueFilters, readReviewQueue } from "@/lib/review/queue";

/** The review queue, newest first: `status` (open, escalated, resolved, all; default open), `reason`, paging `before=<number>&limit=`; recorded as one read. */
export const GET = apiRoute({ roles: "compliance" }, async ({ req, db, actor }) => {
  const filters = parseReviewQueueFilters(new URL(req.url).searchParams);
  return readReviewQueue({ actor, db }, filters);
});
