import "server-only";
import type { Database } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import type { ReadScope } from "@/lib/auth/access";
import { describeInterval } from "@/lib/documents/effective";
import type { Embedder } from "@/lib/models/embedder";
import { retrieveForActor } from "@/lib/rag/retrieve";
import type { AnswerSentence, Citation } from "@/lib/rag/types";
import type { ChunkStore } from "@/lib/vector/store";
import { confirmPassages } from "./confirm";
import type { AppliedVersion } from "./types";

// What an answer says about time: which version of each cited document applied ("Isolation
// protocol, version 1, in effect 2025-01-01 to 2026-02-28"), and, when the versions in effect on
// the asked date do not cover the question, whether a later version does.

/** Each cited version once, in the order the answer first cites it. */
export function versionsApplied(citations: Citation[]): AppliedVersion[] {
  const seen = new Map<string, AppliedVersion>();
  for (const c of citations) {
    if (seen.has(c.versionId) || !c.effectiveFrom) continue;
    seen.set(c.versionId, {
      documentId: c.documentId,
      versionId: c.versionId,
      versionNumber: c.versionNumber,
      title: c.title,
      effectiveFrom: c.effectiveFrom,
      effectiveUntil: c.effectiveUntil ?? null,
      n: c.n,
    });
  }
  return [...seen.values()];
}

export function describeApplied(v: AppliedVersion): string {
  const interval = describeInterval({
    from: new Date(v.effectiveFrom),
    until: v.effectiveUntil ? new Date(v.effectiveUntil) : null,
  });
  return `${v.title}, version ${v.versionNumber ?? "?"}, in effect ${interval}`;
}

/** The closing sentence of an "as of" answer, citing each version it names. */
export function appliedSentence(asOf: Date, applied: AppliedVersion[]): AnswerSentence | null {
  if (applied.length === 0) return null;
  const day = asOf.toISOString().slice(0, 10);
  const text = `As of ${day}: ${applied.map((v) => `${describeApplied(v)} [${v.n}]`).join("; ")}.`;
  return { text, citations: applied.map((v) => v.n), support: "supported", supportScore: 1 };
}

/**
 * For an "as of" question the versions then in effect do not cover: whether the versions in effect
 * now do, searched with the same access rule. Names the later versions, never their text.
 */
export async function laterCoverage(opts: {
  db: Database;
  store: ChunkStore;
  embedder: Embedder;
  actor: Actor;
  question: string;
  collectionIds?: string[];
  scope?: ReadScope;
  asOf: Date;
}): Promise<{ sentence: string; versions: Omit<AppliedVersion, "n">[] }> {
  const day = opts.asOf.toISOString().slice(0, 10);
  const now = await retrieveForActor({ ...opts, asOf: undefined, limit: 4 });
  const { passages, versions } = await confirmPassages(opts.db, opts.actor, now.hits, now.scope.collectionIds);
  const later = new Map<string, Omit<AppliedVersion, "n">>();
  for (const p of passages) {
    const v = versions.get(p.versionId);
    if (!v?.interval || v.interval.from.getTime() <= opts.asOf.getTime() || later.has(p.versionId)) continue;
    later.set(p.versionId, {
      documentId: p.documentId,
      versionId: p.versionId,
      versionNumber: v.versionNumber,
      title: p.title,
      effectiveFrom: v.interval.from.toISOString(),
      effectiveUntil: v.interval.until?.toISOString() ?? null,
    });
  }
  const list = [...later.values()];
  const sentence =
    list.length === 0
      ? `Neither the versions in effect on ${day} nor any later version cover it.`
      : `The versions in effect on ${day} do not cover it; a later version does: ${list.map((v) => describeApplied({ ...v, n: 0 })).join("; ")}.`;
  return { sentence, versions: list };
}
