import { buttonClass } from "@/components/ui/styles";

/** Recovery codes, shown once right after they are made. */
export function RecoveryCodes({
  codes,
  continueHref,
  continueLabel,
}: {
  codes: string[];
  continueHref: string;
  continueLabel: string;
}) {
  return (
    <div
      className="space-y-3 rounded-md border-2 border-amber-600 dark:border-amber-500 bg-amber-50 dark:bg-amber-950 p-4"
      data-testid="recovery-codes-box"
    >
      <p className="text-sm text-gray-900 dark:text-gray-100">
        Save these recovery codes somewhere safe, apart from your phone. Each one signs you in once if you lose your
        authenticator app. They are not shown again.
      </p>
      <ol className="grid grid-cols-2 gap-2 font-mono text-sm" aria-label="Recovery codes">
        {codes.map((code) => (
          <li
            key={code}
            data-testid="recovery-code"
            className="rounded border border-gray-400 dark:border-gray-500 bg-white dark:bg-gray-900 dark:text-gray-100 px-2 py-1"
          >
            {code}
          </li>
        ))}
      </ol>
      {/* A full page load, so the header and the page show the finished sign-in. */}
      <a href={continueHref} className={buttonClass} data-testid="recovery-codes-done">
        {continueLabel}
      </a>
    </div>
  );
}
