"use client";

import { reaskAction } from "@/app/compliance/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError } from "@/components/ui/form-feedback";
import { h2Class, sectionClass } from "@/components/ui/styles";
import type { ReaskView } from "@/lib/chat/types";
import { Button } from "@/components/ui/button";

/** The cited versions of one side, each once: "Visitor protocol, version 1". */
function versionsOf(citations: { title: string; versionNumber: number | null }[]): string {
  const names = [...new Set(citations.map((c) => `${c.title}, version ${c.versionNumber ?? "?"}`))];
  return names.length > 0 ? names.join("; ") : "none";
}

const day = (iso: string) => iso.slice(0, 10);
const lastDay = (iso: string) => new Date(Date.parse(iso) - 1).toISOString().slice(0, 10);

/**
 * "Re-ask as of then": the recorded answer and a new answer to the same question from the versions
 * in effect at the time it was asked, side by side. The asker's conversation is not touched; the
 * re-ask is its own audit event.
 */
export function ReaskPanel({
  seq,
  recorded,
}: {
  seq: number;
  recorded: {
    at: string;
    asOf: string | null;
    answer: string;
    citations: { title: string; versionNumber: number | null }[];
  };
}) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(reaskAction, { resetOnSuccess: false });
  const r: ReaskView | null = result?.ok ? result.data : null;
  const moment = recorded.asOf ?? recorded.at;
  return (
    <section aria-labelledby="reask-heading" className={sectionClass} data-testid="reask">
      <h2 id="reask-heading" className={h2Class}>
        Re-ask as of then
      </h2>
      <p className="text-sm text-gray-800 dark:text-gray-200">
        Asks the question again from the versions in effect on {day(moment)} (
        {recorded.asOf ? "the date it was asked for" : "when it was asked"}), with the asker&apos;s access as it is
        today and only in the collections it searched. Nothing is written to the asker&apos;s conversation; the re-ask
        is recorded in this log under your name.
      </p>
      <form ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-2">
        <input type="hidden" name="seq" value={seq} />
        <FormError result={result} />
        <Button variant="secondary" type="submit" disabled={pending} data-testid="reask-button">
          {pending ? "Asking…" : "Re-ask as of then"}
        </Button>
      </form>
      {r ? (
        <div className="grid gap-4 md:grid-cols-2" data-testid="reask-compare">
          <div className="rounded-md border border-gray-300 dark:border-gray-700 p-3" data-testid="reask-recorded">
            <h3 className="text-sm font-semibold">Recorded answer</h3>
            <p className="mt-1 text-xs text-gray-700 dark:text-gray-300">Cited: {versionsOf(recorded.citations)}</p>
            <p className="mt-2 text-sm whitespace-pre-wrap">{recorded.answer}</p>
          </div>
          <div className="rounded-md border border-blue-400 dark:border-blue-500 p-3" data-testid="reask-new">
            <h3 className="text-sm font-semibold">Asked again now, as of {day(r.asOf)}</h3>
            <p className="mt-1 text-xs text-gray-700 dark:text-gray-300" data-testid="reask-versions">
              Cited: {versionsOf(r.citations)}
              {r.versionsApplied.length > 0
                ? ` (in effect ${r.versionsApplied
                    .map(
                      (v) =>
                        `${day(v.effectiveFrom)}${v.effectiveUntil ? ` to ${lastDay(v.effectiveUntil)}` : " onwards"}`,
                    )
                    .join("; ")})`
                : ""}
              . Searched {r.collections.join(", ")} as {r.asker} may read them today.
            </p>
            {r.error ? (
              <p className="mt-2 text-sm text-red-900 dark:text-red-200" role="alert">
                {r.error}
              </p>
            ) : (
              <p className="mt-2 text-sm whitespace-pre-wrap" data-testid="reask-answer">
                {r.answer}
              </p>
            )}
            {r.citations.length > 0 ? (
              <ol className="mt-2 space-y-1 text-xs" data-testid="reask-citations">
                {r.citations.map((c) => (
                  <li key={c.n}>
                    [{c.n}] {c.title}, version {c.versionNumber ?? "?"}
                    {c.headingPath ? ` — ${c.headingPath}` : ""}
                    {c.pageStart !== null ? ` — page ${c.pageStart}` : ""}: <q>{c.text}</q>
                  </li>
                ))}
              </ol>
            ) : null}
          </div>
        </div>
      ) : null}
    </section>
  );
}
