import "server-only";
import type { Executor } from "@/db/client";
import { getRetrievedVersions, listRestrictions } from "@/db/queries/documents";
import { mayReadRestricted } from "@/lib/access/visibility";
import { currentReadScope } from "@/lib/auth/access";

// Access applies to the past. An answer was written from the passages its asker could read when
// asking; once a grant or a group membership is gone, the answer's text and its citations (which
// quote those passages) are withheld wherever the conversation is read again, and a follow-up
// question no longer sends them to the model. Decided from the database at read time, by the one
// visibility rule (lib/access/visibility.ts), over every passage the answer's prompt carried.

export const WITHHELD_MARKER =
  "This answer drew on documents that are no longer available to you, so it is no longer shown.";

/** An assistant message as stored: the passages its prompt carried, and those it cites. */
export interface SourcedMessage {
  id: string;
  role: "user" | "assistant";
  retrieved: unknown;
  citations?: unknown;
}

function versionIdsOf(m: SourcedMessage): string[] {
  const refs = [
    ...(Array.isArray(m.retrieved) ? m.retrieved : []),
    ...(Array.isArray(m.citations) ? m.citations : []),
  ] as { versionId?: unknown }[];
  return refs.map((r) => r.versionId).filter((v): v is string => typeof v === "string");
}

/**
 * The ids of the answers among `messages` that drew on a passage the user may not read now: its
 * collection is no longer granted to them, its document is restricted to groups they have left,
 * or the document or version was deleted (its text must not outlive it in a conversation). Empty when every answer is still readable.
 */
export async function answersWithheldFrom(
  db: Executor,
  userId: string,
  messages: readonly SourcedMessage[],
): Promise<Set<string>> {
  const sourced = messages.filter((m) => m.role === "assistant").map((m) => ({ id: m.id, versions: versionIdsOf(m) }));
  const versionIds = [...new Set(sourced.flatMap((m) => m.versions))];
  const withheld = new Set<string>();
  if (versionIds.length === 0) return withheld;
  const [versions, scope] = await Promise.all([getRetrievedVersions(db, { versionIds }), currentReadScope(db, userId)]);
  const restrictions = await listRestrictions(db, { documentIds: [...new Set(versions.map((v) => v.documentId))] });
  const readable = new Set(
    versions
      .filter(
        (v) =>
          scope !== null &&
          v.documentStatus === "active" &&
          v.versionStatus !== "deleted" &&
          scope.collectionIds.includes(v.collectionId) &&
          mayReadRestricted({ restrictedTo: restrictions.get(v.documentId) ?? [] }, scope.groupIds),
      )
      .map((v) => v.versionId),
  );
  for (const m of sourced) if (m.versions.some((v) => !readable.has(v))) withheld.add(m.id);
  return withheld;
}
