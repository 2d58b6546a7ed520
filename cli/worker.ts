import type { Env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { withSession } from "./transport";

/** `cli worker`: processes queued jobs until SIGINT/SIGTERM, then finishes the running ones. */
export async function runWorkerCommand(
  e: Env,
  concurrency: number | undefined,
  print: (line: string) => void,
): Promise<void> {
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)) {
    throw new AppError("invalid_request", "--concurrency must be a whole number from 1 to 32.");
  }
  await withSession(e, async (session) => {
    if (!session.local) {
      throw new AppError(
        "conflict",
        "The running server owns the embedded database and already runs its workers; extra workers need DATABASE_URL.",
      );
    }
    const { startWorkers, stopWorkers } = await import("@/ingest/workers");
    const worker = startWorkers(session.db!, { concurrency: concurrency ?? Math.max(1, e.INGEST_CONCURRENCY) });
    print(`Worker ${worker?.id} processing jobs; stop with Ctrl-C.`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    print("Stopping: finishing running jobs…");
    await stopWorkers();
  });
}
