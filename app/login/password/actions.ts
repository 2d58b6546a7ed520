"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { pendingStepAction } from "@/lib/auth/guards";
import { replaceOneTimePassword } from "@/lib/users/passwords";
import { replacePasswordSchema } from "@/lib/users/schemas";

// Open only to a session signed in with a one-time password, and only for replacing it.
export const replaceOneTimePasswordAction = pendingStepAction(
  "change_password",
  replacePasswordSchema,
  async ({ input, state, db }) => {
    await replaceOneTimePassword(db, { userId: state.userId, newPassword: input.newPassword });
    // The header (a layout) still shows the person as signed in until the layout renders again.
    revalidatePath("/", "layout");
    redirect("/login?notice=password_replaced");
  },
);
