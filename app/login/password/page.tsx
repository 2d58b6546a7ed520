import type { Metadata } from "next";
import { ReplacePasswordForm } from "@/components/replace-password-form";
import { h1Class } from "@/components/ui/styles";
import { requirePendingStep } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Choose your password" };

export default async function ReplacePasswordPage() {
  const state = await requirePendingStep("change_password");
  return (
    <div className="mx-auto max-w-sm space-y-6">
      <h1 className={h1Class}>Choose your password</h1>
      <p className="text-sm text-gray-800 dark:text-gray-200" data-testid="replace-password-intro">
        You signed in as {state.email} with a one-time password. Choose a password of your own to go on; then sign in
        with it.
      </p>
      <ReplacePasswordForm />
    </div>
  );
}
