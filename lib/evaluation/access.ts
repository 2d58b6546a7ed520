import "server-only";
import type { Database } from "@/db/client";
import { getCollectionById } from "@/db/queries/collections";
import type { Actor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import { requireCollectionNow } from "@/lib/service/context";

// Golden sets and runs belong to those who manage the collection (a manage grant, or an
// administrator). The operator at the shell of the server ("cli") has the installation's data
// and keys already, and may evaluate any collection.

export interface EvaluationContext {
  db: Database;
  actor: Actor | "cli";
}

export async function authorizeEvaluation(ctx: EvaluationContext, collectionId: string) {
  if (ctx.actor === "cli") {
    const collection = await getCollectionById(ctx.db, { id: collectionId });
    if (!collection) throw new AppError("not_found", "No collection with this id.");
    return collection;
  }
  // The user is read again here: a manage grant removed since the request began already counts.
  const { collection } = await requireCollectionNow({ actor: ctx.actor, db: ctx.db }, collectionId, "manage");
  return collection;
}

export function actorIdOf(ctx: EvaluationContext): string | null {
  return ctx.actor === "cli" ? null : ctx.actor.id;
}
