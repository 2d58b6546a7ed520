import type { SectionChange } from "@/lib/documents/compare";

const BADGE: Record<SectionChange["change"], string> = {
  added: "bg-green-100 dark:bg-green-900 text-green-950 dark:text-green-200",
  removed: "bg-red-100 dark:bg-red-900 text-red-950 dark:text-red-200",
  changed: "bg-amber-100 dark:bg-amber-900 text-amber-950 dark:text-amber-200",
};

/** One section of a comparison: a changed one shows each sentence kept, added (highlighted) or removed (struck). */
export function ChangedSection({ section: s }: { section: SectionChange }) {
  return (
    <section
      className="rounded-md border border-gray-300 dark:border-gray-700 p-3"
      data-testid="change-section"
      data-change={s.change}
    >
      <h2 className="flex flex-wrap items-center gap-2 text-base font-semibold text-gray-950 dark:text-gray-100">
        {s.heading || "(untitled section)"}
        <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${BADGE[s.change]}`}>{s.change}</span>
      </h2>
      <p className="mt-2 text-sm leading-6 whitespace-pre-wrap text-gray-900 dark:text-gray-100">
        {s.sentences.map((p, i) =>
          p.kind === "added" ? (
            <ins
              key={i}
              className="bg-green-100 dark:bg-green-900 text-green-950 dark:text-green-200 no-underline"
              data-testid="change-added"
            >
              {p.text}
            </ins>
          ) : p.kind === "removed" ? (
            <del
              key={i}
              className="bg-red-100 dark:bg-red-900 text-red-950 dark:text-red-200"
              data-testid="change-removed"
            >
              {p.text}
            </del>
          ) : (
            <span key={i}>{p.text}</span>
          ),
        )}
      </p>
    </section>
  );
}
