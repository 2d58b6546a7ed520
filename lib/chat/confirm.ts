import "server-only";
import type { Database } from "@/db/client";
import { getRetrievedVersions, listRestrictions, listVersionTimes } from "@/db/queries/documents";
import { mayReadRestricted } from "@/lib/access/visibility";
import { currentReadScope } from "@/lib/auth/access";
import { inEffect, versionInEffect, versionIntervals, type Interval } from "@/lib/documents/effective";
import type { Actor } from "@/lib/auth/actor";
import type { VersionFacts } from "@/lib/rag/cite";
import { toRetrievedPassage } from "@/lib/rag/passages";
import type { FusedHit, RetrievedPassage } from "@/lib/rag/types";

/**
 * The store already searched only what the asker may read. This second look, at Postgres, drops
 * anything the source of truth no longer backs: a document deleted or re-versioned a moment ago,
 * or a restriction changed while the index was being updated, or a version not in effect at `at`
 * (the question's asOf, or now) by Postgres's reckoning of its interval. The asker's groups and
 * grants are read again here (currentReadScope), not taken from the scope the request resolved at
 * its start, so a membership or grant revoked while the question waited or searched applies.
 */
export async function confirmPassages(
  db: Database,
  actor: Actor,
  hits: FusedHit[],
  collectionIds: string[],
  at: Date = new Date(),
) {
  const versionRows = await getRetrievedVersions(db, { versionIds: [...new Set(hits.map((h) => h.versionId))] });
  const documentIds = [...new Set(versionRows.map((v) => v.documentId))];
  const intervals = new Map<string, Interval>();
  // The version in effect now per document: a citation of an older one points to it.
  const inForceNow = new Map<string, { versionId: string; versionNumber: number }>();
  const times = await listVersionTimes(db, { documentIds });
  const now = new Date();
  for (const documentId of documentIds) {
    const mine = times.filter((t) => t.documentId === documentId);
    for (const [id, interval] of versionIntervals(mine)) intervals.set(id, interval);
    const current = versionInEffect(mine, now);
    if (current) inForceNow.set(documentId, { versionId: current.id, versionNumber: current.versionNumber });
  }
  const byVersion = new Map(versionRows.map((v) => [v.versionId, v]));
  const restrictions = await listRestrictions(db, { documentIds: [...new Set(versionRows.map((v) => v.documentId))] });
  const scopeNow = await currentReadScope(db, actor.id);
  const myGroups = new Set(scopeNow?.groupIds ?? []);
  const readable = new Set(collectionIds.filter((id) => scopeNow?.collectionIds.includes(id)));
  const passages: RetrievedPassage[] = [];
  for (const h of hits) {
    const v = byVersion.get(h.versionId);
    if (
      !v ||
      v.documentStatus !== "active" ||
      !inEffect(intervals.get(h.versionId), at) ||
      v.documentId !== h.documentId
    )
      continue;
    if (!readable.has(v.collectionId)) continue;
    if (!mayReadRestricted({ restrictedTo: restrictions.get(v.documentId) ?? [] }, myGroups)) continue;
    passages.push(toRetrievedPassage(h, passages.length + 1, v.collectionId));
  }
  const versions = new Map<string, VersionFacts>(
    versionRows.map((v) => [
      v.versionId,
      {
        versionNumber: v.versionNumber,
        sha256: v.sha256,
        interval: intervals.get(v.versionId) ?? null,
        newer: newerThan(v, inForceNow.get(v.documentId)),
      },
    ]),
  );
  return { passages, versions };
}

function newerThan(
  v: { versionId: string; versionNumber: number },
  current: { versionId: string; versionNumber: number } | undefined,
) {
  return current && current.versionId !== v.versionId ? current : null;
}
