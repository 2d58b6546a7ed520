import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { getDb } from "@/lib/server/db";
import {
  AddCaseForm,
  PassMarkForm,
  RemoveCaseButton,
  RunEvaluationButton,
} from "@/components/evaluation/evaluation-forms";
import { DateTime } from "@/components/ui/date-time";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { requireUser } from "@/lib/auth/guards";
import { getEvaluation } from "@/lib/evaluation/cases";
import type { EvaluationTotals, QuestionScore } from "@/lib/evaluation/types";
import { AppError } from "@/lib/errors";
import { uuidSchema } from "@/lib/users/schemas";
import { Table, Td, Th } from "@/components/ui/table";
import { TextLink } from "@/components/ui/text-link";

export const metadata: Metadata = { title: "Evaluation" };

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? "–" : x.toFixed(2));

function Delta({ now, before }: { now: number | null; before: number | null | undefined }) {
  if (now === null || before === null || before === undefined || Math.abs(now - before) < 0.005) return null;
  const up = now > before;
  return (
    <span className={up ? "ml-1 text-green-800 dark:text-green-300" : "ml-1 text-red-800 dark:text-red-300"}>
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
        <TextLink href={`/collections/${collection.id}`}>← {collection.name}</TextLink>
      </p>
      <h1 className={`${h1Class} mt-2`} data-testid="eval-heading">
        Evaluation of {collection.name}
      </h1>
      <p className="mt-2 max-w-3xl text-sm text-gray-800 dark:text-gray-200">
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
          <p className="text-sm text-gray-700 dark:text-gray-300">No runs yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <Table data-testid="eval-runs">
              <thead>
                <tr>
                  <Th>When</Th>
                  <Th>Questions</Th>
                  <Th>Recall@5</Th>
                  <Th>nDCG@10</Th>
                  <Th>Not covered</Th>
                  <Th>Citation precision</Th>
                  <Th>Result</Th>
                  <Th>Embedder · generator · chunker</Th>
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
                      <Td>
                        <DateTime value={run.createdAt} />
                        <div className="text-xs text-gray-700 dark:text-gray-300">{run.source}</div>
                      </Td>
                      <Td>{t.questions}</Td>
                      <Td>
                        {fmt(t.recallAt5)}
                        <Delta now={t.recallAt5} before={before?.recallAt5} />
                      </Td>
                      <Td>
                        {fmt(t.ndcgAt10)}
                        <Delta now={t.ndcgAt10} before={before?.ndcgAt10} />
                      </Td>
                      <Td>{fmt(t.notCoveredShare)}</Td>
                      <Td>{fmt(t.citationPrecision)}</Td>
                      <Td>
                        {run.passed ? (
                          <span className="text-green-800 dark:text-green-300">Passed</span>
                        ) : (
                          <span className="font-medium text-red-800 dark:text-red-300">Below {fmt(run.minRecall)}</span>
                        )}
                      </Td>
                      <Td className="text-xs">
                        {run.embedderId} · {run.generatorId} · {run.chunkerId}
                        {changed ? (
                          <div className="font-medium text-amber-800 dark:text-amber-300">
                            changed since the run before
                          </div>
                        ) : null}
                      </Td>
                    </tr>
                  );
                })}
              </tbody>
            </Table>
          </div>
        )}
        {latest ? (
          <details className="text-sm">
            <summary className="cursor-pointer text-gray-900 dark:text-gray-100">Per question, latest run</summary>
            <div className="mt-2 overflow-x-auto">
              <Table data-testid="eval-latest-questions">
                <thead>
                  <tr>
                    <Th>Question</Th>
                    <Th>Recall@5</Th>
                    <Th>nDCG@10</Th>
                    <Th>Not covered</Th>
                    <Th>Cited</Th>
                    <Th>Found first</Th>
                  </tr>
                </thead>
                <tbody>
                  {latestQuestions.map((q, i) => (
                    <tr key={i}>
                      <Td>
                        {q.question}
                        {q.missing.length > 0 ? (
                          <div className="text-xs text-red-800 dark:text-red-300">
                            No document named {q.missing.join(", ")}
                          </div>
                        ) : null}
                      </Td>
                      <Td>{fmt(q.recallAt5)}</Td>
                      <Td>{fmt(q.ndcgAt10)}</Td>
                      <Td>{q.notCovered ? "Yes" : "No"}</Td>
                      <Td>{q.cited.join(", ") || "–"}</Td>
                      <Td>{q.retrieved.slice(0, 3).join(", ") || "–"}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </div>
          </details>
        ) : null}
      </section>

      <section aria-labelledby="eval-cases-heading" className={sectionClass}>
        <h2 id="eval-cases-heading" className={h2Class}>
          Golden questions ({cases.length})
        </h2>
        {cases.length > 0 ? (
          <Table data-testid="eval-cases">
            <thead>
              <tr>
                <Th>Question</Th>
                <Th>Must be supported by</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody>
              {cases.map((c) => (
                <tr key={c.id} data-testid="eval-case-row">
                  <Td>{c.question}</Td>
                  <Td>
                    {c.expected.map((e) => (
                      <div key={e.document}>
                        {e.document}
                        {e.phrases ? (
                          <span className="text-xs text-gray-700 dark:text-gray-300">
                            {" "}
                            holding “{e.phrases.join("” or “")}”
                          </span>
                        ) : null}
                      </div>
                    ))}
                  </Td>
                  <Td>
                    <RemoveCaseButton collectionId={collection.id} caseId={c.id} question={c.question} />
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
        <AddCaseForm collectionId={collection.id} documents={documents} />
        <p className="text-sm text-gray-800 dark:text-gray-200">
          From a shell or a pipeline:{" "}
          <code className="rounded bg-gray-100 dark:bg-gray-800 px-1">
            npm run cli -- eval run --collection &quot;{collection.name}&quot; [--golden FILE.jsonl] [--min-recall 0.8]
          </code>
        </p>
      </section>
    </div>
  );
}
