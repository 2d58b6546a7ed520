"use client";

import { useState } from "react";
import type { ChatMessage } from "@/lib/chat/types";
import { citationLabel, ocrNote, shortHeadingPath, withReferences } from "@/lib/rag/format";
import type { Citation } from "@/lib/rag/types";
import { AnswerMarkdown } from "./answer-markdown";
import { FeedbackControls } from "./feedback-controls";
import { ModelBadge } from "./model-badge";
import { EarlierVersions, EditQuestion } from "./revisions";
import { isoDay } from "./thread";

// One message. An answer is formatted Markdown in which each [n] is a button that opens the cited
// passage and a sentence its passages only weakly support is marked as such (answer-markdown.tsx).

/** The passages of one document version together, in the order the answer first cites them. */
function groupByDocument(citations: Citation[]) {
  const groups = new Map<string, { key: string; label: string; citations: Citation[] }>();
  for (const c of citations) {
    const key = `${c.documentId}:${c.versionId}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        label: [c.title, c.versionNumber !== null ? `version ${c.versionNumber}` : null].filter(Boolean).join(", "),
        citations: [],
      };
      groups.set(key, g);
    }
    g.citations.push(c);
  }
  return [...groups.values()];
}

/** Where in its document a passage is: page, section, OCR note. */
function passageLabel(c: Citation): string {
  const parts: string[] = [];
  if (c.pageStart !== null)
    parts.push(
      c.pageEnd !== null && c.pageEnd !== c.pageStart ? `pages ${c.pageStart}–${c.pageEnd}` : `page ${c.pageStart}`,
    );
  const heading = shortHeadingPath(c.title, c.headingPath);
  if (heading) parts.push(heading);
  const ocr = ocrNote(c);
  if (ocr) parts.push(ocr);
  return parts.length > 0 ? parts.join(" — ") : "the passage";
}

export function MessageView({
  message: m,
  earlier = [],
  onOpenCitation,
  onRegenerate,
  onEdit,
}: {
  message: ChatMessage;
  /** Earlier versions this message replaced (kept; shown on request). */
  earlier?: ChatMessage[];
  onOpenCitation: (c: Citation, el: HTMLElement) => void;
  /** Present on the latest answer: answer its question again. */
  onRegenerate?: () => void;
  /** Present on the latest question: replace it and ask again. */
  onEdit?: (text: string) => void;
}) {
  const [copied, setCopied] = useState<"idle" | "done" | "failed">("idle");
  if (m.role === "user") {
    return (
      <div className="ml-auto max-w-[85%]" data-testid="chat-message" data-role="user">
        <div className="rounded-lg bg-gray-100 dark:bg-gray-800 px-4 py-2 text-sm whitespace-pre-wrap text-gray-950 dark:text-gray-100">
          <span className="sr-only">You asked: </span>
          {m.content}
          {m.asOf ? (
            <span className="mt-1 block text-xs text-gray-700 dark:text-gray-300" data-testid="question-as-of">
              Asked as of {isoDay(m.asOf)}
            </span>
          ) : null}
        </div>
        {onEdit ? <EditQuestion initial={m.content} onSave={onEdit} /> : null}
        <EarlierVersions messages={earlier} kind="question" />
      </div>
    );
  }

  const streaming = m.status === "streaming";
  async function copy() {
    try {
      await navigator.clipboard.writeText(withReferences(m.content, m.citations));
      setCopied("done");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <article
      className="rounded-lg border border-gray-300 dark:border-gray-700 bg-white dark:bg-gray-900 px-4 py-3"
      data-testid="chat-message"
      data-role="assistant"
      data-status={m.status}
      data-not-covered={m.notCovered ? "true" : undefined}
      aria-label="Answer"
    >
      {m.asOf ? (
        <p className="mb-2 text-xs font-medium text-blue-900 dark:text-blue-200" data-testid="answer-as-of">
          Answered as of {isoDay(m.asOf)}, from the versions in effect that day
        </p>
      ) : null}
      {m.redacted ? (
        <p className="text-sm text-gray-700 dark:text-gray-300 italic">{m.content}</p>
      ) : m.withheld ? (
        <p className="text-sm text-gray-700 dark:text-gray-300 italic" data-testid="answer-withheld">
          {m.content}
        </p>
      ) : m.notCovered ? (
        <p
          className="rounded-md bg-gray-50 dark:bg-gray-900 text-sm text-gray-900 dark:text-gray-100"
          data-testid="answer-text"
        >
          {m.content}
        </p>
      ) : (
        <AnswerMarkdown
          text={m.content}
          citations={m.citations}
          sentences={streaming ? [] : m.sentences}
          streaming={streaming}
          onOpen={onOpenCitation}
        />
      )}
      {m.status === "stopped" ? (
        <p className="mt-2 text-xs text-gray-700 dark:text-gray-300" data-testid="answer-stopped">
          You stopped this answer.
        </p>
      ) : null}
      {m.status === "failed" ? (
        <p className="mt-2 text-xs text-red-800 dark:text-red-300" data-testid="answer-failed">
          This answer could not be completed.
        </p>
      ) : null}

      {m.citations.length > 0 ? (
        <div className="mt-3 border-t border-gray-200 dark:border-gray-700 pt-2">
          <h3 className="text-xs font-semibold text-gray-900 dark:text-gray-100 uppercase">Sources</h3>
          <ul className="mt-1 space-y-2 text-sm" data-testid="answer-sources">
            {groupByDocument(m.citations).map((group) => (
              <li key={group.key} data-testid="source-document">
                <p className="font-medium text-gray-900 dark:text-gray-100" data-testid="source-document-title">
                  {group.label}
                </p>
                {group.citations[0]?.newerVersion ? (
                  <a
                    href={`/documents/${group.citations[0].documentId}/changes?from=${group.citations[0].versionId}&to=${group.citations[0].newerVersion.versionId}`}
                    className="text-xs text-blue-800 dark:text-blue-300 underline underline-offset-2 hover:text-blue-950 dark:hover:text-blue-200 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
                    data-testid="source-changes"
                  >
                    A newer version exists (version {group.citations[0].newerVersion.versionNumber}) — see what changed
                  </a>
                ) : null}
                <ol className="mt-0.5 space-y-0.5 pl-3">
                  {group.citations.map((c) => (
                    <li key={c.n} className="flex gap-2">
                      <span className="text-gray-700 dark:text-gray-300">[{c.n}]</span>
                      <button
                        type="button"
                        onClick={(e) => onOpenCitation(c, e.currentTarget)}
                        className="text-left text-blue-800 dark:text-blue-300 underline underline-offset-2 hover:text-blue-950 dark:hover:text-blue-200 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
                        data-testid="source-link"
                        aria-label={`Source ${c.n}: ${citationLabel(c)}`}
                      >
                        {passageLabel(c)}
                      </button>
                    </li>
                  ))}
                </ol>
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {!streaming && !m.redacted && !m.withheld ? (
        <div className="mt-3 flex flex-wrap items-center gap-x-4 gap-y-2 border-t border-gray-200 dark:border-gray-700 pt-2">
          {m.model ? <ModelBadge model={m.model} /> : null}
          <button
            type="button"
            onClick={copy}
            className="text-xs text-gray-800 dark:text-gray-200 underline underline-offset-2 hover:text-gray-950 dark:hover:text-gray-100 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
            data-testid="copy-answer"
          >
            {copied === "done" ? "Copied" : copied === "failed" ? "Copy failed" : "Copy"}
          </button>
          {m.status !== "failed" && !m.id.startsWith("pending-") ? (
            <FeedbackControls messageId={m.id} initial={m.feedback} />
          ) : null}
          {onRegenerate ? (
            <button
              type="button"
              onClick={onRegenerate}
              className="text-xs text-gray-800 dark:text-gray-200 underline underline-offset-2 hover:text-gray-950 dark:hover:text-gray-100 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
              data-testid="regenerate-answer"
            >
              Regenerate
            </button>
          ) : null}
        </div>
      ) : null}
      <EarlierVersions messages={earlier} kind="answer" />
    </article>
  );
}
