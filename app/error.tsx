"use client";

import { h1Class } from "@/components/ui/styles";
import { TextLink } from "@/components/ui/text-link";
import { Button } from "@/components/ui/button";

// The message and stack stay on the server; the digest lets an operator find the log line.
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const digest =
    error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : undefined;
  return (
    <div className="space-y-4" data-testid="error-page">
      <h1 className={h1Class}>Something went wrong</h1>
      <p>The page could not be shown. Try again; if it keeps happening, tell your administrator.</p>
      {digest ? <p className="text-sm text-gray-700 dark:text-gray-300">Reference: {digest}</p> : null}
      <div className="flex items-center gap-4">
        <Button type="button" onClick={() => retry()}>
          Try again
        </Button>
        <TextLink href="/">Go to the home page</TextLink>
      </div>
    </div>
  );
}
