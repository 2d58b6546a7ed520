import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { getDb } from "@/lib/server/db";
import {
  AddCaseForm,
  PassMarkForm,
  RemoveCaseButton,
  RunEvaluationButton,
} from "@/components/evaluation/evaluation-forms";
import { DateTime } from "@/components/ui/date-time";
import { h1Class, h2Class, linkClass, sectionClass, tableClass, tdClass, thClass } from "@/components/ui/styles";
import { requireUser } from "@/lib/auth/guards";
import { getEvaluation } from "@/lib/evaluation/cases";
import type { EvaluationTotals, QuestionScore } from "@/lib/evaluation/types";
import { AppError } from "@/lib/errors";
import { uuidSchema } from "@/lib/users/schemas";

export const metadata: Metadata = { title: "Evaluation" };

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? "–" : x.toFixed(2));

function Delta({ now, before }: { now: number | null; before: number | null | undefined }) {
  if (now === null || before === null || before === undefined || Math.abs(now - before) < 0.005) return null;
  const up = now > before;
  return (
    <span className={up ? "ml-1 text-green-800" : "ml-1 text-red-800"}>
      ({up ? "+" : "−"}
      {Math.abs(now - before).toFixed(2)})
    </span>
  );
}

async function load(rawId: string) {
  const id = uuidSchema.safeParse(rawId);
  if (!id.success) notFound();
  const actor = await requireUser();
  const db = await getDb();
  try {
    return await getEvaluation({ db, actor }, id.data);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    if (err instanceof AppError && err.code === "forbidden") forbidden();
    throw err;
  }
}

export default async function EvaluationPage({ params }: { params: Promise<{ id: string }> }) {
  const { collection, cases, minRecall, runs, documents } = await load((await params).id);
  const latest = runs[0];
  const latestQuestions = (latest?.questions ?? []) as QuestionScore[];
  return (
    <div>
      <p className="text-sm">
        <Link href={`/collections/${collection.id}`} className={linkClass}>
          ← {collection.name}
        </Link>
      </p>
      <h1 className={`${h1Class} mt-2`} data-testid="eval-heading">
        Evaluation of {collection.name}
      </h1>
      <p className="mt-2 max-w-3xl text-sm text-gray-800">
        Golden questions, each with the documents that must support its answer, are run through search and answering
        exactly as served. A run is kept with the embedder, generator and chunker that produced it, so the effect of a
        model change, a reindex or an upgrade shows beside the run before it.
      </p>

      <section aria-labelledby="eval-run-heading" className={sectionClass}>
        <h2 id="eval-run-heading" className={h2Class}>
          Runs
        </h2>
        <PassMarkForm collectionId={collection.id} minRecall={minRecall} />
        <RunEvaluationButton collectionId={collection.id} disabled={cases.length === 0} />
        {runs.length === 0 ? (
          <p className="text-sm text-gray-700">No runs yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className={tableClass} data-testid="eval-runs">
              <thead>
                <tr>
                  <th className={thClass}>When</th>
                  <th className={thClass}>Questions</th>
                  <th className={thClass}>Recall@5</th>
                  <th className={thClass}>nDCG@10</th>
                  <th className={thClass}>Not covered</th>
                  <th className={thClass}>Citation precision</th>
                  <th className={thClass}>Result</th>
                  <th className={thClass}>Embedder · generator · chunker</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run, i) => {
                  const t = run.totals as EvaluationTotals;
                  const before = runs[i + 1]?.totals as EvaluationTotals | undefined;
                  const changed =
                    runs[i + 1] &&
                    (runs[i + 1]!.embedderId !== run.embedderId ||
                      runs[i + 1]!.generatorId !== run.generatorId ||
                      runs[i + 1]!.chunkerId !== run.chunkerId);
                  return (
                    <tr key={run.id} data-testid="eval-run-row">
                      <td className={tdClass}>
                        <DateTime value={run.createdAt} />
                        <div className="text-xs text-gray-700">{run.source}</div>
                      </td>
                      <td className={tdClass}>{t.questions}</td>
                      <td className={tdClass}>
                        {fmt(t.recallAt5)}
                        <Delta now={t.recallAt5} before={before?.recallAt5} />
                      </td>
                      <td className={tdClass}>
                        {fmt(t.ndcgAt10)}
                        <Delta now={t.ndcgAt10} before={before?.ndcgAt10} />
                      </td>
                      <td className={tdClass}>{fmt(t.notCoveredShare)}</td>
                      <td className={tdClass}>{fmt(t.citationPrecision)}</td>
                      <td className={tdClass}>
                        {run.passed ? (
                          <span className="text-green-800">Passed</span>
                        ) : (
                          <span className="font-medium text-red-800">Below {fmt(run.minRecall)}</span>
                        )}
                      </td>
                      <td className={`${tdClass} text-xs`}>
                        {run.embedderId} · {run.generatorId} · {run.chunkerId}
                        {changed ? (
                          <div className="font-medium text-amber-800">changed since the run before</div>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {latest ? (
          <details className="text-sm">
            <summary className="cursor-pointer text-gray-900">Per question, latest run</summary>
            <div className="mt-2 overflow-x-auto">
              <table className={tableClass} data-testid="eval-latest-questions">
                <thead>
                  <tr>
                    <th className={thClass}>Question</th>
                    <th className={thClass}>Recall@5</th>
                    <th className={thClass}>nDCG@10</th>
                    <th className={thClass}>Not covered</th>
                    <th className={thClass}>Cited</th>
                    <th className={thClass}>Found first</th>
                  </tr>
                </thead>
                <tbody>
                  {latestQuestions.map((q, i) => (
                    <tr key={i}>
                      <td className={tdClass}>
                        {q.question}
                        {q.missing.length > 0 ? (
                          <div className="text-xs text-red-800">No document named {q.missing.join(", ")}</div>
                        ) : null}
                      </td>
                      <td className={tdClass}>{fmt(q.recallAt5)}</td>
                      <td className={tdClass}>{fmt(q.ndcgAt10)}</td>
                      <td className={tdClass}>{q.notCovered ? "Yes" : "No"}</td>
                      <td className={tdClass}>{q.cited.join(", ") || "–"}</td>
                      <td className={tdClass}>{q.retrieved.slice(0, 3).join(", ") || "–"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        ) : null}
      </section>

      <section aria-labelledby="eval-cases-heading" className={sectionClass}>
        <h2 id="eval-cases-heading" className={h2Class}>
          Golden questions ({cases.length})
        </h2>
        {cases.length > 0 ? (
          <table className={tableClass} data-testid="eval-cases">
            <thead>
              <tr>
                <th className={thClass}>Question</th>
                <th className={thClass}>Must be supported by</th>
                <th className={thClass}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {cases.map((c) => (
                <tr key={c.id} data-testid="eval-case-row">
                  <td className={tdClass}>{c.question}</td>
                  <td className={tdClass}>
                    {c.expected.map((e) => (
                      <div key={e.document}>
                        {e.document}
                        {e.phrases ? (
                          <span className="text-xs text-gray-700"> holding “{e.phrases.join("” or “")}”</span>
                        ) : null}
                      </div>
                    ))}
                  </td>
                  <td className={tdClass}>
                    <RemoveCaseButton collectionId={collection.id} caseId={c.id} question={c.question} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <AddCaseForm collectionId={collection.id} documents={documents} />
        <p className="text-sm text-gray-800">
          From a shell or a pipeline:{" "}
          <code className="rounded bg-gray-100 px-1">
            npm run cli -- eval run --collection &quot;{collection.name}&quot; [--golden FILE.jsonl] [--min-recall 0.8]
          </code>
        </p>
      </section>
    </div>
  );
}
