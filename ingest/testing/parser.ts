import { parseEnv } from "@/lib/env";
import { parserLimitsFromEnv } from "@/ingest/sandbox/limits";
import { createParserPool, type DocumentParser, type ParserLimits } from "@/ingest/sandbox/pool";

/** A one-process parser sandbox with the default limits, or some of them changed; close it after the file. */
export function createTestParser(limits: Partial<ParserLimits> = {}): DocumentParser {
  return createParserPool({ size: 1, limits: { ...parserLimitsFromEnv(parseEnv({})), ...limits } });
}
