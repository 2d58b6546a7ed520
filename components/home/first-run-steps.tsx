import { TextLink } from "@/components/ui/text-link";
import { h2Class, mutedClass, sectionClass } from "@/components/ui/styles";
import type { FirstRunProgress, FirstRunStep } from "@/lib/collections/first-run";

const STEPS: { step: FirstRunStep; title: string; detail: string }[] = [
  {
    step: "create-collection",
    title: "Create a collection",
    detail: "a named set of documents that answers are written from; choose who may read it as you create it.",
  },
  {
    step: "upload-documents",
    title: "Upload documents to it",
    detail: "PDF, Word, HTML, Markdown or text; each is parsed, checked for personal data and indexed.",
  },
  {
    step: "grant-readers",
    title: "Give a role or a group read access",
    detail: "on the collection's page, under Access; until then nobody can ask about it.",
  },
];

/**
 * Until a collection has documents and a reader nobody can get an answer, so the home page says
 * what to do next: administrators get the step with a link, everyone else who has to act.
 */
export function FirstRunSteps({ progress, isAdmin }: { progress: FirstRunProgress; isAdmin: boolean }) {
  if (!progress.next) return null;
  const current = STEPS.findIndex((s) => s.step === progress.next);
  const where = progress.collection ? `/collections/${progress.collection.id}` : "/collections";
  return (
    <section aria-labelledby="first-run-heading" className={sectionClass} data-testid="first-run">
      <h2 id="first-run-heading" className={h2Class}>
        Next step
      </h2>
      {isAdmin ? (
        <ol className="list-decimal space-y-2 pl-6 text-sm">
          {STEPS.map((s, i) => (
            <li
              key={s.step}
              data-testid={`first-run-${s.step}`}
              data-state={i < current ? "done" : i === current ? "next" : "later"}
              aria-current={i === current ? "step" : undefined}
            >
              {i < current ? (
                <span className={mutedClass}>{s.title}: done.</span>
              ) : i === current ? (
                <>
                  <TextLink href={where} className="font-medium" data-testid="first-run-next">
                    {s.title}
                  </TextLink>
                  {progress.collection ? ` (${progress.collection.name})` : null}: {s.detail}
                </>
              ) : (
                <span className={mutedClass}>{s.title}</span>
              )}
            </li>
          ))}
        </ol>
      ) : (
        <p className="text-sm" data-testid="first-run-wait">
          No collection can be asked about yet: an administrator still has to add documents and give people access.
        </p>
      )}
    </section>
  );
}
