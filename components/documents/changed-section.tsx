import type { SectionChange } from "@/lib/documents/compare";

const BADGE: Record<SectionChange["change"], string> = {
  added: "bg-green-100 text-green-950",
  removed: "bg-red-100 text-red-950",
  changed: "bg-amber-100 text-amber-950",
};

/** One section of a comparison: a changed one shows each sentence kept, added (highlighted) or removed (struck). */
export function ChangedSection({ section: s }: { section: SectionChange }) {
  return (
    <section className="rounded-md border border-gray-300 p-3" data-testid="change-section" data-change={s.change}>
      <h2 className="flex flex-wrap items-center gap-2 text-base font-semibold text-gray-950">
        {s.heading || "(untitled section)"}
        <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${BADGE[s.change]}`}>{s.change}</span>
      </h2>
      <p className="mt-2 text-sm leading-6 whitespace-pre-wrap text-gray-900">
        {s.sentences.map((p, i) =>
          p.kind === "added" ? (
            <ins key={i} className="bg-green-100 text-green-950 no-underline" data-testid="change-added">
              {p.text}
            </ins>
          ) : p.kind === "removed" ? (
            <del key={i} className="bg-red-100 text-red-950" data-testid="change-removed">
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
