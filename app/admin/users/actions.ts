"use server";

import { revalidatePath } from "next/cache";
import { guardedAction } from "@/lib/auth/guards";
import { formArray } from "@/lib/form-fields";
import { addUser } from "@/lib/users/admin";
import { createUserSchema, rolesSchema } from "@/lib/users/schemas";

// Unchecking every role box sends no value at all; treat that as an empty list so the
// "at least one role" rule speaks, rather than silently defaulting to employee.
const createUserForm = createUserSchema.extend({ roles: formArray(rolesSchema) });

export const createUserAction = guardedAction({ roles: "admin" }, createUserForm, async ({ input, actor, db }) => {
  const user = await addUser({ actor, db }, input);
  revalidatePath("/admin/users");
  return { email: user.email };
});
