"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { holdReasonSchema, placeLegalHold, releaseHold } from "@/lib/audit/holds";
import { verifyAndRecord } from "@/lib/audit/service";
import { guardedAction } from "@/lib/auth/guards";
import { reaskJson, reaskRecordedQuestion } from "@/lib/chat/reask";
import { getAskDeps } from "@/lib/chat/runtime";

// The compliance console's forms; every one for the compliance role only.

export const verifyChainAction = guardedAction({ roles: "compliance" }, z.object({}), async ({ actor, db }) => {
  const r = await verifyAndRecord({ actor, db });
  revalidatePath("/compliance");
  return { ok: r.ok, count: r.count, head: r.head, firstBroken: r.firstBroken, durationMs: r.durationMs };
});

const holdForm = z.object({
  subject: z.enum(["user", "collection"], { error: () => "Choose whether to hold a user or a collection." }),
  target: z
    .string({ error: "Give the user's email or the collection's name." })
    .trim()
    .min(1, "Give the user's email or the collection's name."),
  reason: holdReasonSchema,
});

export const placeHoldAction = guardedAction({ roles: "compliance" }, holdForm, async ({ input, actor, db }) => {
  const hold = await placeLegalHold({ actor, db }, { [input.subject]: input.target, reason: input.reason });
  revalidatePath("/compliance/retention");
  return { on: hold.userEmail ?? hold.collection ?? input.target };
});

export const releaseHoldAction = guardedAction(
  { roles: "compliance" },
  z.object({ id: z.uuid() }),
  async ({ input, actor, db }) => {
    await releaseHold({ actor, db }, input.id);
    revalidatePath("/compliance/retention");
    return { id: input.id };
  },
);

/** Re-asks a recorded question as of when it was asked (lib/chat/reask.ts); the answer goes beside the record. */
export const reaskAction = guardedAction(
  { roles: "compliance" },
  z.object({ seq: z.coerce.number().int().positive("seq must be a positive event number.") }),
  async ({ input, actor }) => {
    const outcome = await reaskRecordedQuestion({ actor, deps: await getAskDeps() }, input.seq);
    revalidatePath("/compliance");
    return reaskJson(outcome);
  },
);
