import { QrCode } from "./qr-code";

/** What an authenticator app needs: the QR code, and the same secret as text to type in. */
export function EnrolmentSecret({ secret, uri }: { secret: string; uri: string }) {
  return (
    <div className="flex flex-wrap items-start gap-6" data-testid="mfa-enrolment">
      <QrCode text={uri} label="QR code to scan with your authenticator app" />
      <div className="max-w-sm space-y-2 text-sm text-gray-900 dark:text-gray-100">
        <p>
          Scan the code with an authenticator app (FreeOTP, Google Authenticator, Microsoft Authenticator, 1Password …),
          or type this key into it as a time-based account:
        </p>
        <code
          className="block rounded border border-gray-400 dark:border-gray-500 bg-white dark:bg-gray-900 px-3 py-2 font-mono text-sm break-all"
          data-testid="mfa-secret"
        >
          {secret}
        </code>
      </div>
    </div>
  );
}
