"use server";

import { revalidatePath } from "next/cache";
import { guardedAction } from "@/lib/auth/guards";
import { addGroup } from "@/lib/groups/admin";
import { createGroupSchema } from "@/lib/users/schemas";
import { auditActor } from "@/lib/audit/actor";

export const createGroupAction = guardedAction({ roles: "admin" }, createGroupSchema, async ({ input, actor, db }) => {
  const group = await addGroup(db, input, auditActor(actor));
  revalidatePath("/admin/groups");
  return { id: group.id, name: group.name };
});
