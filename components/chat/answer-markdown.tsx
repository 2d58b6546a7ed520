"use client";

import { marked } from "marked";
import { createContext, memo, useContext, useId, useMemo, useState, type ReactNode } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import remarkGfm from "remark-gfm";
import type { Root } from "hast";
import { citationLabel } from "@/lib/rag/format";
import type { AnswerSentence, Citation } from "@/lib/rag/types";
import {
  appendCursor,
  CHIP_TAG,
  CURSOR_TAG,
  markCitations,
  markWeak,
  sentenceKey,
  WEAK_NOTE_TAG,
  WEAK_TAG,
} from "./answer-marks";

// An answer as formatted text. The Markdown is rendered by react-markdown with GitHub's dialect
// and then sanitised: raw HTML from a model (or a document it quotes) is dropped, images are not
// allowed at all (loading one would be a request the answer chose), and links show as text.
// Citation chips and weak-support marks are added after sanitising, from the text alone.
// While streaming, the text is cut into Markdown blocks and each block is memoised, so a new
// token re-renders only the block it lands in; the rest of the answer stays as it is.

export type OpenCitation = (c: Citation, el: HTMLElement) => void;

interface CitationContextValue {
  byN: Map<number, Citation>;
  onOpen: OpenCitation;
}

const CitationContext = createContext<CitationContextValue>({ byN: new Map(), onOpen: () => undefined });

const schema = {
  ...defaultSchema,
  tagNames: (defaultSchema.tagNames ?? []).filter((t) => !["img", "picture", "source", "input"].includes(t)),
};

const chipBox = "mx-0.5 inline-flex items-center rounded border px-1 align-baseline text-xs font-medium";

/** A short excerpt of the passage for the preview: the whole of a short one, the start of a long one. */
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 320 ? `${flat.slice(0, 320).replace(/\s\S*$/, "")} …` : flat;
}

function CitationChip({ n }: { n: number }) {
  const { byN, onOpen } = useContext(CitationContext);
  const [preview, setPreview] = useState(false);
  const id = useId();
  const citation = byN.get(n);
  if (!citation) {
    // Same box as a chip, so the text does not move when the citations arrive with the final answer.
    return (
      <span
        className={`${chipBox} border-gray-300 dark:border-gray-700 text-gray-700 dark:text-gray-300`}
        data-testid="citation-pending"
      >
        {n}
      </span>
    );
  }
  return (
    <span
      className="relative inline-block"
      onMouseEnter={() => setPreview(true)}
      onMouseLeave={() => setPreview(false)}
    >
      <button
        type="button"
        onClick={(e) => {
          setPreview(false);
          onOpen(citation, e.currentTarget);
        }}
        onFocus={() => setPreview(true)}
        onBlur={() => setPreview(false)}
        onKeyDown={(e) => {
          if (e.key === "Escape" && preview) {
            e.stopPropagation();
            setPreview(false);
          }
        }}
        className={`${chipBox} border-blue-300 bg-blue-50 text-blue-900 hover:bg-blue-100 dark:hover:bg-blue-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400 dark:border-blue-400 dark:bg-blue-950 dark:text-blue-100`}
        aria-label={`Source ${n}: ${citationLabel(citation)}`}
        aria-describedby={preview ? id : undefined}
        data-testid="citation-chip"
        data-n={n}
      >
        {n}
      </button>
      {preview ? (
        <span
          id={id}
          role="tooltip"
          className="absolute top-full left-0 z-30 mt-1 block w-80 max-w-[80vw] rounded-md border border-gray-300 bg-white p-3 text-left text-xs leading-5 font-normal text-gray-900 shadow-lg dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100"
          data-testid="citation-preview"
        >
          <span className="block font-semibold" data-testid="citation-preview-source">
            {citationLabel(citation)}
          </span>
          {citation.headingPath ? (
            <span className="block text-gray-700 dark:text-gray-300" data-testid="citation-preview-heading">
              {citation.headingPath}
            </span>
          ) : null}
          <span className="mt-1 block" data-testid="citation-preview-text">
            {excerpt(citation.text)}
          </span>
        </span>
      ) : null}
    </span>
  );
}

const components = {
  [CHIP_TAG]: ({ "data-n": n }: { "data-n": string }) => <CitationChip n={Number(n)} />,
  [WEAK_TAG]: ({ children }: { children?: ReactNode }) => (
    <span
      className="rounded bg-amber-50 underline decoration-amber-600 decoration-dotted underline-offset-4 dark:bg-amber-950"
      data-testid="answer-weak"
    >
      {children}
    </span>
  ),
  [WEAK_NOTE_TAG]: () => (
    <span
      className="ml-0.5 text-xs font-medium text-amber-900 dark:text-amber-200"
      title="The cited passage only weakly supports this sentence. Check the source."
      data-testid="answer-weak-note"
    >
      {" "}
      (weakly supported)
    </span>
  ),
  [CURSOR_TAG]: () => (
    <span
      className="ml-1 inline-block h-4 w-2 animate-pulse bg-gray-500 dark:bg-gray-400 align-middle"
      aria-hidden="true"
      data-testid="answer-streaming"
    />
  ),
  a: ({ children }: { children?: ReactNode }) => <span className="underline decoration-dotted">{children}</span>,
  table: ({ children }: { children?: ReactNode }) => (
    <div className="my-2 overflow-x-auto">
      <table className="border-collapse text-left text-sm" data-testid="answer-table">
        {children}
      </table>
    </div>
  ),
} as unknown as Components;

const Block = memo(function Block({ source, weakKeys, cursor }: { source: string; weakKeys: string; cursor: boolean }) {
  const rehypePlugins = useMemo(
    () => [
      [rehypeSanitize, schema] as const,
      () => (tree: Root) => {
        markWeak(tree, weakKeys ? weakKeys.split("\n") : []);
        markCitations(tree);
        if (cursor) appendCursor(tree);
      },
    ],
    [weakKeys, cursor],
  );
  return (
    <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={rehypePlugins as never} components={components}>
      {source}
    </ReactMarkdown>
  );
});

/** Markdown blocks of the text, each with its source, so a block that is finished never re-renders. */
function blocks(text: string): string[] {
  const out: string[] = [];
  for (const token of marked.lexer(text)) {
    if (token.type === "space" && out.length > 0) out[out.length - 1] += token.raw;
    else out.push(token.raw);
  }
  return out;
}

export function AnswerMarkdown({
  text,
  citations,
  sentences,
  streaming,
  onOpen,
}: {
  text: string;
  citations: Citation[];
  sentences: AnswerSentence[];
  streaming: boolean;
  onOpen: OpenCitation;
}) {
  const context = useMemo(() => ({ byN: new Map(citations.map((c) => [c.n, c])), onOpen }), [citations, onOpen]);
  const weakKeys = useMemo(
    () =>
      sentences
        .filter((s) => s.support === "weak")
        .map((s) => sentenceKey(s.text))
        .join("\n"),
    [sentences],
  );
  const parts = blocks(text);
  if (parts.length === 0 && streaming) parts.push("");
  return (
    <CitationContext.Provider value={context}>
      <div className="answer-markdown" data-testid="answer-text">
        {parts.map((source, i) => (
          <Block key={i} source={source} weakKeys={weakKeys} cursor={streaming && i === parts.length - 1} />
        ))}
      </div>
    </CitationContext.Provider>
  );
}
