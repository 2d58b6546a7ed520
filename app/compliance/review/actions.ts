"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { guardedAction } from "@/lib/auth/guards";
import { decideReviewItem, reviewDecisionSchema } from "@/lib/review/queue";
import { uuidSchema } from "@/lib/users/schemas";

// A reviewer's decision on a review queue item: compliance only, recorded in the item's history
// and the audit trail by decideReviewItem.

const decisionForm = z.object({ itemId: uuidSchema }).and(reviewDecisionSchema);

export const decideReviewAction = guardedAction({ roles: "compliance" }, decisionForm, async ({ input, actor, db }) => {
  const item = await decideReviewItem({ actor, db }, input.itemId, {
    decision: input.decision,
    note: input.note,
  });
  revalidatePath("/compliance/review");
  revalidatePath(`/compliance/review/${input.itemId}`);
  return { decision: input.decision, status: item.status, number: item.number };
});
