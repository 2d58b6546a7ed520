import "server-only";
import { env } from "@/lib/env";
import { parserLimitsFromEnv } from "./sandbox/limits";
import { createParserPool, type DocumentParser } from "./sandbox/pool";

// One pool of parser processes per process, opened on first use and forgotten if it fails to start.

const PARSER = Symbol.for("knowledge-qa.parser-pool");
type Holder = { [PARSER]?: Promise<DocumentParser> };
const holder = globalThis as Holder;

/** One parser process per concurrent ingestion job (INGEST_CONCURRENCY), started when first needed. */
export function getParserPool(): Promise<DocumentParser> {
  if (!holder[PARSER]) {
    const e = env();
    const pending = (async () =>
      createParserPool({ size: Math.max(1, e.INGEST_CONCURRENCY), limits: parserLimitsFromEnv(e) }))();
    holder[PARSER] = pending;
    pending.catch(() => {
      if (holder[PARSER] === pending) delete holder[PARSER];
    });
  }
  return holder[PARSER];
}

/** Stops the parser processes, if any were started (server shutdown). */
export async function closeParserPool(): Promise<void> {
  const pending = holder[PARSER];
  delete holder[PARSER];
  if (pending) await (await pending).close();
}
