import { asStoredJson } from "./canonical";

// Conversation content (what a person typed or read) is kept apart from the rest of an event so
// retention can remove it while the chain, which covers only its digest, still verifies. Each
// event type names its content fields; `[]` means every element of an array.

const CONTENT_PATHS: Record<string, string[]> = {
  "question.answered": ["question", "answer", "sentences[].text", "citations[].text", "injection[].excerpt"],
  "question.refused": ["question", "injection[].excerpt"],
  // A compliance re-ask (lib/chat/reask.ts) holds the same kinds of text as the answer it re-asks.
  "question.reasked": ["question", "answer", "sentences[].text", "citations[].text", "injection[].excerpt"],
  "feedback.given": ["comment"],
  // Prompt-injection findings quote the document (personal data in the excerpts masked).
  "document.quarantined": ["findings[].excerpt"],
  "document.injection_warning": ["findings[].excerpt"],
};

/** Shown wherever retention removed text. */
export const REDACTION_MARKER = "[redacted under the retention policy]";

export function contentPathsFor(type: string): string[] {
  return CONTENT_PATHS[type] ?? [];
}

/** Event types whose content retention redacts (document findings' excerpts included). */
export const CONVERSATION_EVENT_TYPES = Object.keys(CONTENT_PATHS);

function parsePath(path: string): { array: string | null; field: string } {
  const m = /^(\w+)\[\]\.(\w+)$/.exec(path);
  return m ? { array: m[1]!, field: m[2]! } : { array: null, field: path };
}

/**
 * Splits a payload into what stays in the chained row and the redactable content. Returns
 * content null when the type has no content fields or none is present.
 */
export function splitContent(
  type: string,
  payload: Record<string, unknown>,
): { payload: Record<string, unknown>; content: Record<string, unknown> | null } {
  const paths = contentPathsFor(type);
  if (paths.length === 0) return { payload, content: null };
  const rest = asStoredJson(payload);
  const content: Record<string, unknown> = {};
  for (const path of paths) {
    const { array, field } = parsePath(path);
    if (!array) {
      if (field in rest) {
        content[path] = rest[field];
        delete rest[field];
      }
      continue;
    }
    const items = rest[array];
    if (!Array.isArray(items)) continue;
    content[path] = items.map((item: unknown) => {
      if (!item || typeof item !== "object" || !(field in item)) return null;
      const value = (item as Record<string, unknown>)[field];
      delete (item as Record<string, unknown>)[field];
      return value;
    });
  }
  return { payload: rest, content: Object.keys(content).length > 0 ? content : null };
}

/**
 * Puts content back into a payload for reading. With content null (redacted), every content
 * field that existed reads as the redaction marker.
 */
export function mergeContent(
  type: string,
  payload: Record<string, unknown>,
  content: Record<string, unknown> | null,
  redacted: boolean,
): Record<string, unknown> {
  const paths = contentPathsFor(type);
  if (paths.length === 0 || (!content && !redacted)) return payload;
  const out = asStoredJson(payload);
  for (const path of paths) {
    const { array, field } = parsePath(path);
    const value = content?.[path];
    if (!array) {
      if (content && path in content) out[field] = value;
      else if (redacted) out[field] = REDACTION_MARKER;
      continue;
    }
    const items = out[array];
    if (!Array.isArray(items)) continue;
    items.forEach((item: unknown, i) => {
      if (!item || typeof item !== "object") return;
      const values = Array.isArray(value) ? value : null;
      (item as Record<string, unknown>)[field] = values ? values[i] : REDACTION_MARKER;
    });
  }
  return out;
}
