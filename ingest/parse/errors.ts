// User-facing wording for files a library could not read: one sentence, the library's reason
// shortened to its first clause, no stack traces or internal paths.

import { ParseError } from "@/lib/documents/parsed";
import { collapseSpace } from "./text-utils";

const MAX_REASON_CHARS = 200;

export function shortReason(err: unknown): string {
  const raw = collapseSpace(err instanceof Error ? err.message : String(err));
  let reason = (raw.split(/(?<=[\p{Ll}\d)\]'"])\.\s+/u)[0] ?? raw).replace(/\.$/, "").slice(0, MAX_REASON_CHARS);
  if (!reason) return "unknown error";
  // Continue the sentence in lower case ("end of central directory…") unless the reason starts
  // with a name or a title-cased label ("Invalid Root reference", "Quote Not Closed").
  if (/^\p{Lu}\p{Ll}+ \p{Ll}/u.test(reason)) reason = reason[0]!.toLowerCase() + reason.slice(1);
  return reason;
}

/** "The PDF is damaged and cannot be read: invalid root reference." */
export function damaged(what: string, err: unknown): ParseError {
  return new ParseError("corrupt", `The ${what} is damaged and cannot be read: ${shortReason(err)}.`, { cause: err });
}
