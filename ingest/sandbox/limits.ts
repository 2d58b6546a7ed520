import type { Env } from "@/lib/env";
import type { ParserLimits } from "./pool";

export function parserLimitsFromEnv(e: Env): ParserLimits {
  return {
    timeoutMs: Math.round(e.PARSER_TIMEOUT_SECONDS * 1000),
    memoryBytes: e.PARSER_MAX_MEMORY_MB * 1024 * 1024,
    ocrPageTimeoutMs: Math.round(e.OCR_PAGE_TIMEOUT_SECONDS * 1000),
    maxImagePixels: Math.round(e.OCR_MAX_IMAGE_MEGAPIXELS * 1e6),
  };
}
