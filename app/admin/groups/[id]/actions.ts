"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { guardedAction } from "@/lib/auth/guards";
import { addMemberByEmail, removeMember } from "@/lib/groups/admin";
import { addMemberSchema, uuidSchema } from "@/lib/users/schemas";

const addMemberForm = addMemberSchema.extend({ groupId: uuidSchema });
const removeMemberForm = z.object({ groupId: uuidSchema, userId: uuidSchema });

// Membership shows on the group, in the group list's counts and on the user pages.
function revalidateMembership(groupId: string, userId: string) {
  revalidatePath(`/admin/groups/${groupId}`);
  revalidatePath("/admin/groups");
  revalidatePath("/admin/users");
  revalidatePath(`/admin/users/${userId}`);
}

export const addMemberAction = guardedAction({ roles: "admin" }, addMemberForm, async ({ input, actor, db }) => {
  const { user, added } = await addMemberByEmail({ actor, db }, { groupId: input.groupId, email: input.email });
  revalidateMembership(input.groupId, user.id);
  return { email: user.email, added };
});

export const removeMemberAction = guardedAction({ roles: "admin" }, removeMemberForm, async ({ input, actor, db }) => {
  await removeMember({ actor, db }, { groupId: input.groupId, userId: input.userId });
  revalidateMembership(input.groupId, input.userId);
  return { userId: input.userId };
});
