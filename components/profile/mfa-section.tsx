import { ConfirmEnrolmentForm } from "@/components/mfa/confirm-enrolment-form";
import { EnrolmentSecret } from "@/components/mfa/enrolment-secret";
import { DateTime } from "@/components/ui/date-time";
import { h2Class, sectionClass } from "@/components/ui/styles";
import { confirmMfaEnrolmentAction } from "@/app/profile/mfa-actions";
import type { MfaStatus } from "@/lib/auth/mfa";
import { DisableMfaForm, RegenerateRecoveryCodesForm, StartMfaButton } from "./mfa-forms";

/** Two-step sign-in on the profile page: set up, recovery codes, switch off. */
export function MfaSection({
  status,
  pending,
  required,
  usedRecoveryCode,
}: {
  status: MfaStatus;
  /** The secret of a set-up in progress; null once it is on (it never reaches the browser again). */
  pending: { secret: string; uri: string } | null;
  /** Whether the person's role requires it (then it cannot be left off). */
  required: boolean;
  usedRecoveryCode: boolean;
}) {
  return (
    <section aria-labelledby="mfa-heading" className={sectionClass} data-testid="mfa-section">
      <h2 id="mfa-heading" className={h2Class}>
        Two-step sign-in
      </h2>
      {usedRecoveryCode ? (
        <p
          role="status"
          className="rounded-md border border-amber-600 dark:border-amber-500 bg-amber-50 dark:bg-amber-950 px-3 py-2 text-sm text-gray-900 dark:text-gray-100"
          data-testid="mfa-recovery-notice"
        >
          You signed in with a recovery code, which no longer works. {status.recoveryCodesLeft} of your recovery codes
          are left; make new ones below if you are running short.
        </p>
      ) : null}
      {status.enabled ? (
        <>
          <p className="text-sm text-gray-800 dark:text-gray-200" data-testid="mfa-status">
            On since <DateTime value={status.enabledAt} />. Signing in asks for a code from your authenticator app.{" "}
            {status.recoveryCodesLeft} unused recovery codes.
          </p>
          <h3 className="text-base font-semibold text-gray-900 dark:text-gray-100">Recovery codes</h3>
          <RegenerateRecoveryCodesForm />
          <h3 className="text-base font-semibold text-gray-900 dark:text-gray-100">Turn it off</h3>
          {required ? (
            <p className="text-sm text-gray-800 dark:text-gray-200">
              Your role requires two-step sign-in: turning it off makes you set it up again before you can go on.
            </p>
          ) : null}
          <DisableMfaForm />
        </>
      ) : pending ? (
        <>
          <p className="text-sm text-gray-800 dark:text-gray-200" data-testid="mfa-status">
            Not on yet. Add this account to your authenticator app, then enter the code it shows.
          </p>
          <ConfirmEnrolmentForm
            action={confirmMfaEnrolmentAction}
            continueHref="/profile"
            continueLabel="I have saved them"
          >
            <EnrolmentSecret secret={pending.secret} uri={pending.uri} />
          </ConfirmEnrolmentForm>
          <StartMfaButton again />
        </>
      ) : (
        <>
          <p className="text-sm text-gray-800 dark:text-gray-200" data-testid="mfa-status">
            Off. With it on, signing in asks for your password and a code from an authenticator app on your phone.
          </p>
          <StartMfaButton />
        </>
      )}
    </section>
  );
}
