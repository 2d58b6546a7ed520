import type { ParsedDocument } from "@/lib/documents/parsed";
import { BlockSink, finishDocument } from "./blocks";
import { cleanMultiline, normalizeNewlines } from "./text-utils";

/** Plain text: one paragraph per run of lines between blank lines; line breaks inside are kept. */
export function parseText(text: string): ParsedDocument {
  const sink = new BlockSink();
  for (const paragraph of normalizeNewlines(text).split(/\n[ \t\f]*\n/)) {
    sink.add("paragraph", cleanMultiline(paragraph));
  }
  return finishDocument("text", sink);
}
