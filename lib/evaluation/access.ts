import "server-only";
import type { Database } from "@/db/client";
import { getCollectionById } from "@/db/queries/collections";
import { requireCollection } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";

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
  const { collection } = await requireCollection(ctx.db, ctx.actor, collectionId, "manage");
  return collection;
}

export function actorIdOf(ctx: EvaluationContext): string | null {
  return ctx.actor === "cli" ? null : ctx.actor.id;
}
