"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { createApiKeyForUser, revokeApiKeyById } from "@/lib/auth/api-key-admin";
import { guardedAction } from "@/lib/auth/guards";
import { changeOwnPassword } from "@/lib/users/passwords";
import { apiKeyNameSchema, changePasswordSchema, uuidSchema } from "@/lib/users/schemas";
import { apiKeyScopesSchema, newApiKeyRequestSchema } from "@/lib/auth/api-key-policy";

// Any signed-in user manages their own keys; ownership is checked on the key, not trusted from the form.

// The form always sends the scope boxes: none ticked is a mistake to name, not "all scopes".
const createKeyForm = newApiKeyRequestSchema.extend({
  name: apiKeyNameSchema,
  scopes: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), apiKeyScopesSchema),
});
const revokeKeyForm = z.object({ id: uuidSchema });

export const createApiKeyAction = guardedAction({}, createKeyForm, async ({ input, actor, db }) => {
  const { key, apiKey } = await createApiKeyForUser({ actor, db }, { userId: actor.id, ...input });
  revalidatePath("/profile");
  // The only time the secret leaves the server; it is not stored anywhere it could be read back.
  return { key, name: apiKey.name, prefix: apiKey.prefix };
});

export const revokeApiKeyAction = guardedAction({}, revokeKeyForm, async ({ input, actor, db }) => {
  await revokeApiKeyById({ actor, db }, { id: input.id });
  revalidatePath("/profile");
  return { id: input.id };
});

export const changePasswordAction = guardedAction({}, changePasswordSchema, async ({ input, actor, db }) => {
  await changeOwnPassword({ actor, db }, input);
  // Every session of the account has just ended, this one too: sign in with the new password.
  // The header (a layout) still shows the person as signed in until the layout renders again.
  revalidatePath("/", "layout");
  redirect("/login?notice=password_changed");
});
