import { h2Class, sectionClass } from "@/components/ui/styles";
import type { AnswerPrivacy, AnswerView } from "@/lib/audit/answer-view";
import { INJECTION_LABELS, type InjectionKind } from "@/lib/privacy/injection";
import { describePiiCounts, type PiiType } from "@/lib/privacy/pii-types";
import { isReviewReason, REVIEW_REASON_LABELS } from "@/lib/review/reasons";
import { Table, Td, Th } from "@/components/ui/table";
import { TextLink } from "@/components/ui/text-link";

const SUPPORT: Record<string, string> = { supported: "supported", weak: "weakly supported", uncited: "no citation" };

const kinds = (counts: Record<string, number>) => describePiiCounts(counts as Partial<Record<PiiType, number>>);

/** What the guards found in the question and did to the answer; nothing when they found nothing. */
function PrivacyRecord({ privacy: p }: { privacy: AnswerPrivacy }) {
  const found = kinds(p.questionPii);
  const masked = kinds(p.questionMasked);
  const redacted = kinds(p.redacted);
  if (!found && !redacted && p.injection.length === 0 && p.review.length === 0) return null;
  return (
    <section aria-labelledby="privacy-heading" className={sectionClass} data-testid="answer-privacy">
      <h2 id="privacy-heading" className={h2Class}>
        Privacy and safety checks
      </h2>
      <ul className="list-disc space-y-1 pl-6 text-sm">
        {found ? (
          <li data-testid="privacy-question-pii">
            The question held {found}; {masked ? `stored with ${masked} masked` : "stored as typed"}
            {p.questionPolicy ? ` (question policy: ${p.questionPolicy})` : ""}.
          </li>
        ) : null}
        {p.injection.map((f, i) => (
          <li key={i} data-testid="privacy-question-injection">
            {INJECTION_LABELS[f.kind as InjectionKind] ?? f.kind} in the question ({Math.round(f.confidence * 100)}%):{" "}
            <q className="font-mono text-xs">{f.excerpt}</q>
          </li>
        ))}
        {redacted ? (
          <li data-testid="privacy-redacted">
            Redacted from the answer because no cited passage contains it: {redacted}.
          </li>
        ) : null}
        {p.review.length > 0 ? (
          <li data-testid="privacy-review">
            Sent to the review queue:{" "}
            {p.review.map((r) => (isReviewReason(r) ? REVIEW_REASON_LABELS[r] : r)).join(", ")}.
          </li>
        ) : null}
      </ul>
    </section>
  );
}

/** An answer as the asker received it, with each cited passage as it read then. */
export function AnswerRecord({ answer }: { answer: AnswerView }) {
  const model = answer.model ?? {};
  return (
    <>
      <section aria-labelledby="qa-heading" className={sectionClass}>
        <h2 id="qa-heading" className={h2Class}>
          Question and answer
        </h2>
        {answer.redacted ? (
          <p
            className="rounded-md border border-amber-700 dark:border-amber-400 bg-amber-50 dark:bg-amber-950 px-3 py-2 text-sm"
            data-testid="redacted-notice"
          >
            The question and answer text was redacted under the retention policy. The record of who asked, what was
            retrieved and which model answered remains.
          </p>
        ) : null}
        <div>
          <p className="text-sm font-semibold">Question</p>
          <p
            className="mt-1 whitespace-pre-wrap rounded-md border border-gray-300 dark:border-gray-700 p-3"
            data-testid="answer-question"
          >
            {answer.question}
          </p>
        </div>
        <div>
          <p className="text-sm font-semibold">Answer{answer.notCovered ? " (the documents did not cover it)" : ""}</p>
          <p
            className="mt-1 whitespace-pre-wrap rounded-md border border-gray-300 dark:border-gray-700 p-3"
            data-testid="answer-text"
          >
            {answer.answer}
          </p>
        </div>
        {answer.sentences.length > 0 ? (
          <ul className="list-disc space-y-1 pl-6 text-sm" data-testid="answer-sentences">
            {answer.sentences.map((s, i) => (
              <li key={i}>
                {s.text}{" "}
                <span className="text-gray-700 dark:text-gray-300">
                  — {SUPPORT[s.support] ?? s.support} ({Math.round(s.supportScore * 100)}%)
                  {s.citations.length ? `, cites ${s.citations.map((n) => `[${n}]`).join(" ")}` : ""}
                </span>
              </li>
            ))}
          </ul>
        ) : null}
      </section>

      <PrivacyRecord privacy={answer.privacy} />

      <section aria-labelledby="citations-heading" className={sectionClass}>
        <h2 id="citations-heading" className={h2Class}>
          Cited passages ({answer.citations.length})
        </h2>
        {answer.citations.length === 0 ? <p className="text-sm">The answer cites no passage.</p> : null}
        <ol className="space-y-4">
          {answer.citations.map((c) => (
            <li
              key={`${c.n}-${c.chunkId}`}
              className="rounded-md border border-gray-300 dark:border-gray-700 p-3"
              data-testid="citation"
            >
              <p className="text-sm">
                <span className="font-semibold">
                  [{c.n}] {c.title}
                </span>
                {c.headingPath ? <span className="text-gray-700 dark:text-gray-300"> — {c.headingPath}</span> : null}
                {c.pageStart ? (
                  <span className="text-gray-700 dark:text-gray-300">
                    {" "}
                    — page {c.pageStart}
                    {c.pageEnd && c.pageEnd !== c.pageStart ? `–${c.pageEnd}` : ""}
                  </span>
                ) : null}
              </p>
              <p className="mt-1 text-xs text-gray-700 dark:text-gray-300">
                Document{" "}
                <TextLink href={`/compliance?document=${c.documentId}`}>{c.documentName ?? c.documentId}</TextLink> (
                {c.documentStatus === "gone" ? "its collection was deleted" : c.documentStatus}), version{" "}
                {c.versionNumber ?? "?"} ({c.versionStatus ?? "no longer stored"}), sha256{" "}
                <code>{c.versionSha256 ?? "unknown"}</code>, characters {c.charStart}–{c.charEnd}
              </p>
              {c.passage !== null ? (
                <blockquote
                  className="mt-2 whitespace-pre-wrap border-l-4 border-gray-400 dark:border-gray-600 pl-3 text-sm"
                  data-testid="citation-passage"
                >
                  {c.passage}
                </blockquote>
              ) : (
                <p className="mt-2 text-sm text-gray-800 dark:text-gray-200" data-testid="citation-purged">
                  The passage text is no longer stored: the document was deleted and retention redacted the copy in this
                  record.
                </p>
              )}
              <p className="mt-1 text-xs text-gray-700 dark:text-gray-300" data-testid="citation-source">
                {c.passageSource === "stored version"
                  ? c.matchesRecord === false
                    ? "From the stored version. It differs from the text recorded at answer time."
                    : "From the stored version of the document."
                  : c.passageSource === "audit record"
                    ? "From the copy kept in this record (the version's text is no longer stored)."
                    : ""}
              </p>
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="access-heading" className={sectionClass}>
        <h2 id="access-heading" className={h2Class}>
          Access, retrieval and model
        </h2>
        <p className="text-sm" data-testid="allowed-collections">
          Searched (the asker&apos;s readable collections at the time):{" "}
          {answer.allowedCollections.map((c) => c.name).join(", ") || "none"}
        </p>
        <p className="text-sm" data-testid="answer-model">
          Model: {String(model.kind ?? "unknown")}
          {model.modelFile ? ` ${String(model.modelFile)}` : ""}
          {model.server ? ` on ${String(model.server)}` : ""}
          {model.modelSha256 ? ` (sha256 ${String(model.modelSha256)})` : ""}
          {model.quantization ? `, ${String(model.quantization)}` : ""}
          {model.gpu ? `, GPU ${String(model.gpu)}` : ""}; embedder {String(model.embedderId ?? "unknown")}; finish:{" "}
          {answer.finishReason ?? "unknown"}; prompt sha256 <code>{answer.promptSha256 ?? "-"}</code>
        </p>
        <div className="overflow-x-auto">
          <Table data-testid="retrieved-table">
            <thead>
              <tr>
                <Th>Chunk</Th>
                <Th>Version sha256</Th>
                <Th>Fused score</Th>
                <Th>Vector (rank)</Th>
                <Th>Text rank</Th>
              </tr>
            </thead>
            <tbody>
              {answer.retrieved.map((r) => (
                <tr key={r.chunkId}>
                  <Td className="font-mono text-xs">{r.chunkId}</Td>
                  <Td className="font-mono text-xs">{r.versionSha256 ? `${r.versionSha256.slice(0, 16)}…` : "-"}</Td>
                  <Td>{r.score.toFixed(4)}</Td>
                  <Td>{r.vectorScore === null ? "-" : `${r.vectorScore.toFixed(3)} (${r.vectorRank})`}</Td>
                  <Td>{r.textRank ?? "-"}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
        <p className="text-xs text-gray-700 dark:text-gray-300">
          Timings:{" "}
          {Object.entries(answer.timings)
            .map(([k, v]) => `${k} ${v} ms`)
            .join(", ") || "-"}
        </p>
      </section>
    </>
  );
}
