import type { Metadata } from "next";
import { CancelSignIn } from "@/components/mfa/cancel-sign-in";
import { ConfirmEnrolmentForm } from "@/components/mfa/confirm-enrolment-form";
import { EnrolmentSecret } from "@/components/mfa/enrolment-secret";
import { h1Class } from "@/components/ui/styles";
import { requirePendingStep } from "@/lib/auth/guards";
import { pendingEnrolmentOf, startMfaEnrolment } from "@/lib/auth/mfa";
import { getDb } from "@/lib/server/db";
import { confirmRequiredEnrolmentAction } from "./actions";

export const metadata: Metadata = { title: "Set up two-step sign-in" };

export default async function RequiredEnrolmentPage() {
  const state = await requirePendingStep("enrol_mfa");
  const db = await getDb();
  const self = { id: state.userId, email: state.email };
  // The page cannot be used for anything but this; a set-up is started on the first visit and
  // the same secret is shown until a code confirms it.
  let pending = await pendingEnrolmentOf(db, self);
  if (!pending) {
    await startMfaEnrolment({ actor: self, db });
    pending = await pendingEnrolmentOf(db, self);
  }
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <h1 className={h1Class}>Set up two-step sign-in</h1>
      <p className="text-sm text-gray-800 dark:text-gray-200" data-testid="mfa-required-intro">
        Your role requires a second step when {state.email} signs in: a code from an authenticator app on your phone.
        Set it up now to go on.
      </p>
      {pending ? (
        <ConfirmEnrolmentForm
          action={confirmRequiredEnrolmentAction}
          continueHref="/"
          continueLabel="I have saved them; continue"
        >
          <EnrolmentSecret secret={pending.secret} uri={pending.uri} />
        </ConfirmEnrolmentForm>
      ) : null}
      <CancelSignIn />
    </div>
  );
}
