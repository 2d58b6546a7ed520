"use client";

import { Fragment, useState } from "react";
import type { ChatMessage } from "@/lib/chat/types";
import { citationLabel, shortHeadingPath, withReferences } from "@/lib/rag/format";
import type { AnswerSentence, Citation } from "@/lib/rag/types";
import { FeedbackControls } from "./feedback-controls";
import { ModelBadge } from "./model-badge";

// One message. An answer is shown sentence by sentence: each [n] becomes a button that opens the
// cited passage, and a sentence its passages only weakly support is marked as such.

const MARKER = /\[(\d{1,3})\]/g;

function CitationChip({
  n,
  citation,
  onOpen,
}: {
  n: number;
  citation: Citation | undefined;
  onOpen: (c: Citation, el: HTMLElement) => void;
}) {
  if (!citation) {
    return <sup className="mx-0.5 text-xs text-gray-600">[{n}]</sup>;
  }
  return (
    <button
      type="button"
      onClick={(e) => onOpen(citation, e.currentTarget)}
      className="mx-0.5 inline-flex items-center rounded border border-blue-300 bg-blue-50 px-1 align-baseline text-xs font-medium text-blue-900 hover:bg-blue-100 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-700"
      aria-label={`Source ${n}: ${citationLabel(citation)}`}
      data-testid="citation-chip"
      data-n={n}
    >
      {n}
    </button>
  );
}

function withChips(text: string, byN: Map<number, Citation>, onOpen: (c: Citation, el: HTMLElement) => void) {
  const out: React.ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(MARKER)) {
    out.push(text.slice(last, m.index));
    const n = Number(m[1]);
    out.push(<CitationChip key={`${m.index}-${n}`} n={n} citation={byN.get(n)} onOpen={onOpen} />);
    last = m.index! + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

function Sentence({
  s,
  byN,
  onOpen,
}: {
  s: AnswerSentence;
  byN: Map<number, Citation>;
  onOpen: (c: Citation, el: HTMLElement) => void;
}) {
  const body = withChips(s.text, byN, onOpen);
  if (s.support === "weak") {
    return (
      <span
        className="rounded bg-amber-50 underline decoration-amber-600 decoration-dotted underline-offset-4"
        data-testid="answer-weak"
      >
        {body}
        <span
          className="ml-0.5 text-xs font-medium text-amber-900"
          title="The cited passage only weakly supports this sentence. Check the source."
        >
          {" "}
          (weakly supported)
        </span>{" "}
      </span>
    );
  }
  return <span data-support={s.support}>{body}</span>;
}

export function MessageView({
  message: m,
  onOpenCitation,
}: {
  message: ChatMessage;
  onOpenCitation: (c: Citation, el: HTMLElement) => void;
}) {
  const [copied, setCopied] = useState<"idle" | "done" | "failed">("idle");
  if (m.role === "user") {
    return (
      <div
        className="ml-auto max-w-[85%] rounded-lg bg-gray-100 px-4 py-2 text-sm whitespace-pre-wrap text-gray-950"
        data-testid="chat-message"
        data-role="user"
      >
        <span className="sr-only">You asked: </span>
        {m.content}
      </div>
    );
  }

  const byN = new Map(m.citations.map((c) => [c.n, c]));
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
      className="rounded-lg border border-gray-300 bg-white px-4 py-3"
      data-testid="chat-message"
      data-role="assistant"
      data-status={m.status}
      data-not-covered={m.notCovered ? "true" : undefined}
      aria-label="Answer"
    >
      {m.redacted ? (
        <p className="text-sm text-gray-700 italic">{m.content}</p>
      ) : m.notCovered ? (
        <p className="rounded-md bg-gray-50 text-sm text-gray-900" data-testid="answer-text">
          {m.content}
        </p>
      ) : (
        <div className="text-sm leading-6 whitespace-pre-wrap text-gray-950" data-testid="answer-text">
          {!streaming && m.sentences.length > 0
            ? m.sentences.map((s, i) => (
                <Fragment key={i}>
                  <Sentence s={s} byN={byN} onOpen={onOpenCitation} />
                </Fragment>
              ))
            : withChips(m.content, byN, onOpenCitation)}
          {streaming ? (
            <span
              className="ml-1 inline-block h-4 w-2 animate-pulse bg-gray-500 align-middle"
              aria-hidden="true"
              data-testid="answer-streaming"
            />
          ) : null}
        </div>
      )}
      {m.status === "stopped" ? (
        <p className="mt-2 text-xs text-gray-700" data-testid="answer-stopped">
          You stopped this answer.
        </p>
      ) : null}
      {m.status === "failed" ? (
        <p className="mt-2 text-xs text-red-800" data-testid="answer-failed">
          This answer could not be completed.
        </p>
      ) : null}

      {m.citations.length > 0 ? (
        <div className="mt-3 border-t border-gray-200 pt-2">
          <h3 className="text-xs font-semibold text-gray-900 uppercase">Sources</h3>
          <ol className="mt-1 space-y-1 text-sm" data-testid="answer-sources">
            {m.citations.map((c) => (
              <li key={c.n} className="flex gap-2">
                <span className="text-gray-700">[{c.n}]</span>
                <button
                  type="button"
                  onClick={(e) => onOpenCitation(c, e.currentTarget)}
                  className="text-left text-blue-800 underline underline-offset-2 hover:text-blue-950 focus-visible:outline-2 focus-visible:outline-blue-700"
                  data-testid="source-link"
                >
                  {citationLabel(c)}
                  {shortHeadingPath(c.title, c.headingPath) ? (
                    <span className="text-gray-700" title={c.headingPath}>
                      {" "}
                      — {shortHeadingPath(c.title, c.headingPath)}
                    </span>
                  ) : null}
                </button>
              </li>
            ))}
          </ol>
        </div>
      ) : null}

      {!streaming && !m.redacted ? (
        <div className="mt-3 flex flex-wrap items-center gap-x-4 gap-y-2 border-t border-gray-200 pt-2">
          {m.model ? <ModelBadge model={m.model} /> : null}
          <button
            type="button"
            onClick={copy}
            className="text-xs text-gray-800 underline underline-offset-2 hover:text-gray-950 focus-visible:outline-2 focus-visible:outline-blue-700"
            data-testid="copy-answer"
          >
            {copied === "done" ? "Copied" : copied === "failed" ? "Copy failed" : "Copy"}
          </button>
          {m.status !== "failed" && !m.id.startsWith("pending-") ? (
            <FeedbackControls messageId={m.id} initial={m.feedback} />
          ) : null}
        </div>
      ) : null}
    </article>
  );
}
