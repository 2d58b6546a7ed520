import type { ParsedDocument } from "@/lib/documents/parsed";
import { BlockSink, finishDocument } from "./blocks";
import { htmlToBlocks } from "./html-blocks";

export function parseHtml(text: string): ParsedDocument {
  const sink = new BlockSink();
  const { title } = htmlToBlocks(text, sink);
  return finishDocument("html", sink, { title: title ?? sink.firstHeading() });
}
