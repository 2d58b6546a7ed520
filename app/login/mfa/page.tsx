import type { Metadata } from "next";
import { CancelSignIn } from "@/components/mfa/cancel-sign-in";
import { SecondFactorForm } from "@/components/mfa/second-factor-form";
import { h1Class } from "@/components/ui/styles";
import { requirePendingStep } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Two-step sign-in" };

export default async function SecondFactorPage() {
  const state = await requirePendingStep("mfa");
  return (
    <div className="mx-auto max-w-sm space-y-6">
      <h1 className={h1Class}>Two-step sign-in</h1>
      <p className="text-sm text-gray-800 dark:text-gray-200" data-testid="mfa-sign-in-intro">
        Your password for {state.email} is right. Enter the code from your authenticator app to finish signing in.
      </p>
      <SecondFactorForm />
      <p className="text-sm text-gray-700 dark:text-gray-300">
        Lost your phone and your recovery codes? An administrator can reset two-step sign-in for your account.
      </p>
      <CancelSignIn />
    </div>
  );
}
