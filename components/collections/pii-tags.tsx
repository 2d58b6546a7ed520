import { isPiiType, PII_LABELS } from "@/lib/privacy/pii-types";

/** The kinds of personal data found in a document, as small labels. */
export function PiiTags({ types, counts }: { types: string[]; counts?: Partial<Record<string, number>> }) {
  const known = types.filter(isPiiType);
  if (known.length === 0) return null;
  return (
    <ul className="mt-1 flex flex-wrap gap-1" aria-label="Personal data found" data-testid="doc-pii-tags">
      {known.map((t) => (
        <li
          key={t}
          className="rounded border border-purple-700 dark:border-purple-400 bg-purple-50 dark:bg-purple-950 px-1.5 py-0.5 text-xs text-purple-950 dark:text-purple-200"
          data-testid={`pii-tag-${t}`}
        >
          {PII_LABELS[t].one}
          {counts?.[t] ? ` ×${counts[t]}` : null}
        </li>
      ))}
    </ul>
  );
}
