// Messages between the server and a parser process (ingest/sandbox/child.ts), sent over Node's IPC
// channel with the "advanced" serialization (structured clone), so file bytes travel as bytes.

import type { ParsedDocument, ParseErrorCode } from "@/lib/documents/parsed";

export interface ParseRequest {
  type: "parse";
  id: number;
  bytes: Uint8Array;
  filename: string;
  maxDecompressedBytes: number;
  ocr: { pageTimeoutMs: number; maxImagePixels: number };
}

export type ParserMessage =
  | { type: "ready" }
  | { type: "progress"; id: number; page: number; total: number }
  | { type: "result"; id: number; document: ParsedDocument }
  /** The file cannot be ingested (a ParseError): the message is for the person who uploaded it. */
  | { type: "parse_error"; id: number; code: ParseErrorCode; message: string }
  /** A bug or an environment problem, not the file's fault. */
  | { type: "failure"; id: number; message: string };
