import "server-only";
import type { DatabaseHandle } from "@/db/client";
import { failStaleStreamingMessages } from "@/db/queries/conversations";

// An answer is "streaming" only while the process that writes it runs. After a crash it would
// stay so for ever, and a streaming answer can be neither rated nor reviewed, so start-up closes it.

/** No answer streams this long: the longest model-server timeout the settings allow is an hour. */
export const STREAMING_AT_MOST_MS = 60 * 60 * 1000;

/**
 * Marks answers left streaming by a process that died as failed ("The answer was interrupted.").
 * The embedded database has one owner, this process, so nothing else can be streaming into it;
 * a shared Postgres may have other app nodes mid-answer, so only answers older than any real
 * stream are closed there.
 */
export async function failInterruptedAnswers(
  handle: Pick<DatabaseHandle, "db" | "kind">,
  now: Date = new Date(),
): Promise<number> {
  const olderThan = handle.kind === "pglite" ? now : new Date(now.getTime() - STREAMING_AT_MOST_MS);
  return failStaleStreamingMessages(handle.db, { olderThan });
}
