import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { AppError } from "@/lib/errors";
import { jobJson, requireJob } from "@/lib/jobs/queue";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

/** A job's state, for whoever queued it and for administrators. */
export const GET = apiRoute<{ id: string }>({}, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const job = await requireJob(db, id);
  if (job.createdBy !== actor.id && !actor.roles.includes("admin"))
    throw new AppError("not_found", "No job with this id.");
  return jobJson(job);
});
