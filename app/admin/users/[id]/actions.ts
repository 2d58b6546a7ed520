"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { guardedAction } from "@/lib/auth/guards";
import { formArray, formBoolean } from "@/lib/form-fields";
import { updateUser } from "@/lib/users/admin";
import { resetPassword } from "@/lib/users/passwords";
import { resetMfa } from "@/lib/auth/mfa";
import { rolesSchema, uuidSchema } from "@/lib/users/schemas";

const rolesForm = z.object({ userId: uuidSchema, roles: formArray(rolesSchema) });
const disabledForm = z.object({ userId: uuidSchema, disabled: formBoolean });

function revalidateUser(userId: string) {
  revalidatePath(`/admin/users/${userId}`);
  revalidatePath("/admin/users");
}

export const updateRolesAction = guardedAction({ roles: "admin" }, rolesForm, async ({ input, actor, db }) => {
  const user = await updateUser(
    { actor, db },
    {
      userId: input.userId,
      changes: { roles: input.roles },
    },
  );
  revalidateUser(user.id);
  return { roles: user.roles };
});

export const setDisabledAction = guardedAction({ roles: "admin" }, disabledForm, async ({ input, actor, db }) => {
  const user = await updateUser(
    { actor, db },
    {
      userId: input.userId,
      changes: { disabled: input.disabled },
    },
  );
  revalidateUser(user.id);
  return { disabled: user.disabled };
});

const resetForm = z.object({ userId: uuidSchema });

export const resetPasswordAction = guardedAction({ roles: "admin" }, resetForm, async ({ input, actor, db }) => {
  const { oneTimePassword } = await resetPassword({ actor, db }, { userId: input.userId });
  revalidateUser(input.userId);
  // The only time it leaves the server; only its hash is stored.
  return { oneTimePassword };
});

export const resetMfaAction = guardedAction({ roles: "admin" }, resetForm, async ({ input, actor, db }) => {
  const result = await resetMfa({ actor, db }, { userId: input.userId });
  revalidatePath(`/admin/users/${input.userId}`);
  return result;
});
