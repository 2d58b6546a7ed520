"use server";

import { AuthError, type CredentialsSignin } from "next-auth";
import { redirect } from "next/navigation";
import { z } from "zod";
import { isOidcEnabled, OIDC_PROVIDER_ID, signIn, signOut } from "@/lib/auth/config";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import type { ActionResult } from "@/lib/auth/guards";
import { credentialsSignInMessage, SIGN_IN_FAILED } from "@/lib/auth/sign-in-messages";
import { loginEmailSchema } from "@/lib/users/schemas";

// Signing in and out are the only actions open to visitors without a session: there is no
// user to guard yet, and signing out without a session does nothing.

const credentialsForm = z.object({
  email: loginEmailSchema,
  password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024),
  callbackUrl: z.string().optional(),
});

export async function signInWithCredentials(_previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const parsed = credentialsForm.safeParse({
    email: formData.get("email") ?? undefined,
    password: formData.get("password") ?? undefined,
    callbackUrl: formData.get("callbackUrl") ?? undefined,
  });
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[issue.path.join(".")] ??= issue.message;
    // A malformed email is named as such; otherwise something is missing.
    const message = fields.email?.startsWith("Enter a valid") ? fields.email : "Enter your email address and password.";
    return { ok: false, error: { code: "invalid_request", message, fields } };
  }
  const { email, password, callbackUrl } = parsed.data;
  try {
    // On success this throws Next's redirect, which must reach the framework untouched.
    await signIn("credentials", { email, password, redirectTo: safeCallbackUrl(callbackUrl) });
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    const message =
      err.type === "CredentialsSignin" ? credentialsSignInMessage((err as CredentialsSignin).code) : SIGN_IN_FAILED;
    return { ok: false, error: { code: "unauthorized", message } };
  }
  return { ok: false, error: { code: "unauthorized", message: SIGN_IN_FAILED } };
}

export async function signInWithOidc(formData: FormData): Promise<void> {
  if (!isOidcEnabled()) redirect("/login");
  try {
    await signIn(OIDC_PROVIDER_ID, { redirectTo: safeCallbackUrl(formData.get("callbackUrl")) });
  } catch (err) {
    // Auth.js has logged the cause; the page shows a generic message for any error type.
    if (err instanceof AuthError) redirect(`/login?error=${encodeURIComponent(err.type)}`);
    throw err;
  }
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}
