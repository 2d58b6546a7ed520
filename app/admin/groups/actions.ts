"use server";

import { revalidatePath } from "next/cache";
import { guardedAction } from "@/lib/auth/guards";
import { addGroup } from "@/lib/groups/admin";
import { createGroupSchema } from "@/lib/users/schemas";

export const createGroupAction = guardedAction({ roles: "admin" }, createGroupSchema, async ({ input, db }) => {
  const group = await addGroup(db, input);
  revalidatePath("/admin/groups");
  return { id: group.id, name: group.name };
});
