"use server";

import { revalidatePath } from "next/cache";
import { guardedAction } from "@/lib/auth/guards";
import { addGroup } from "@/lib/groups/admin";
import { createGroupSchema } from "@/lib/users/schemas";

export const createGroupAction = guardedAction({ roles: "admin" }, createGroupSchema, async ({ input, actor, db }) => {
  const group = await addGroup({ actor, db }, input);
  revalidatePath("/admin/groups");
  return { id: group.id, name: group.name };
});
