import "server-only";
import { z } from "zod";
import { insertLegalHold, listActiveLegalHolds, releaseLegalHold } from "@/db/queries/audit";
import { getCollectionById, getCollectionByName } from "@/db/queries/collections";
import { getUserByEmail, getUserById } from "@/db/queries/users";
import { AppError } from "@/lib/errors";
import { requireRoleNow, type ServiceContext } from "@/lib/service/context";
import { appendAudit, by } from "./log";

// Legal holds suspend retention for one person's conversations or for everything that touched a
// collection. Placing and releasing a hold are audited; a released hold stays on record. Holds are
// the compliance role's (re-read at call time) and the operator's on the command line.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const holdReasonSchema = z
  .string({ error: "Give the reason for the hold." })
  .trim()
  .min(3, "Give the reason for the hold (at least 3 characters).")
  .max(1000, "The reason must be at most 1000 characters.");

export const holdSchema = z
  .object({
    user: z.string().trim().max(320).optional(),
    collection: z.string().trim().max(200).optional(),
    reason: holdReasonSchema,
  })
  .refine((v) => Boolean(v.user) !== Boolean(v.collection), {
    message: "Hold either a user (email) or a collection (name or id), not both.",
  });

export async function placeLegalHold(ctx: ServiceContext, input: z.infer<typeof holdSchema>) {
  const { actor, db } = ctx;
  await requireRoleNow(ctx, "compliance", "place legal holds");
  let userId: string | null = null;
  let userEmail: string | null = null;
  let collectionId: string | null = null;
  let collectionName: string | null = null;
  if (input.user) {
    const user = UUID.test(input.user)
      ? await getUserById(db, { id: input.user })
      : await getUserByEmail(db, { email: input.user });
    if (!user) throw new AppError("invalid_request", `No user ${input.user}.`);
    userId = user.id;
    userEmail = user.email;
  } else if (input.collection) {
    const c = UUID.test(input.collection)
      ? await getCollectionById(db, { id: input.collection })
      : await getCollectionByName(db, { name: input.collection });
    if (!c) throw new AppError("invalid_request", `No collection ${input.collection}.`);
    collectionId = c.id;
    collectionName = c.name;
  }
  return db.transaction(async (tx) => {
    const hold = await insertLegalHold(tx, { userId, collectionId, reason: input.reason, createdBy: actor.id });
    await appendAudit(tx, {
      type: "retention.hold_placed",
      ...by(actor),
      subject: { ...(userId ? { userId } : {}), ...(collectionId ? { collectionId } : {}) },
      payload: { via: actor.via, holdId: hold.id, userEmail, collection: collectionName, reason: input.reason },
    });
    return { id: hold.id, userEmail, collection: collectionName, reason: input.reason };
  });
}

export async function releaseHold(ctx: ServiceContext, id: string) {
  const { actor, db } = ctx;
  await requireRoleNow(ctx, "compliance", "release legal holds");
  if (!UUID.test(id)) throw new AppError("not_found", "No active legal hold with this id.");
  const holds = await listActiveLegalHolds(db);
  const current = holds.find((h) => h.id === id);
  return db.transaction(async (tx) => {
    const released = await releaseLegalHold(tx, { id, releasedBy: actor.id });
    if (!released) throw new AppError("not_found", "No active legal hold with this id.");
    await appendAudit(tx, {
      type: "retention.hold_released",
      ...by(actor),
      subject: {
        ...(released.userId ? { userId: released.userId } : {}),
        ...(released.collectionId ? { collectionId: released.collectionId } : {}),
      },
      payload: {
        via: actor.via,
        holdId: id,
        userEmail: current?.userEmail ?? null,
        collection: current?.collectionName ?? null,
        reason: released.reason,
      },
    });
    return { id };
  });
}

export async function listHolds(ctx: ServiceContext) {
  const { db } = ctx;
  await requireRoleNow(ctx, "compliance", "list legal holds");
  return (await listActiveLegalHolds(db)).map((h) => ({
    id: h.id,
    user: h.userId ? { id: h.userId, email: h.userEmail } : null,
    collection: h.collectionId ? { id: h.collectionId, name: h.collectionName } : null,
    reason: h.reason,
    createdAt: h.createdAt.toISOString(),
    createdBy: h.createdByEmail,
  }));
}
