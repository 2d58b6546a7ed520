"use client";

import { useEffect, useRef, useState } from "react";
import { linkClass } from "@/components/ui/styles";
import type { Citation } from "@/lib/rag/types";
import { citationLabel } from "@/lib/rag/format";
import { Button } from "@/components/ui/button";

interface PassageView {
  title: string;
  versionNumber: number;
  current: boolean;
  before: string;
  passage: string;
  after: string;
  truncatedBefore: boolean;
  truncatedAfter: boolean;
}

/**
 * The cited passage in its surroundings, highlighted, with a link to the original at its page.
 * Both are fetched now, so they are refused if the reader has lost access since; the passage as it
 * was cited (stored with the answer) is shown instead, with a note saying so. Mounted afresh
 * (keyed) for each citation, so nothing of the previous one lingers.
 */
export function CitationPanel({ citation: c, onClose }: { citation: Citation; onClose: () => void }) {
  const [view, setView] = useState<PassageView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const panelRef = useRef<HTMLElement>(null);
  const markRef = useRef<HTMLElement>(null);

  useEffect(() => {
    panelRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [onClose]);

  useEffect(() => {
    const controller = new AbortController();
    const url = `/api/documents/${c.documentId}/passage?version=${c.versionId}&start=${c.charStart}&end=${c.charEnd}`;
    fetch(url, { signal: controller.signal, cache: "no-store" })
      .then(async (res) => {
        if (res.ok) setView((await res.json()) as PassageView);
        else setProblem(((await res.json()) as { error: { message: string } }).error.message);
      })
      .catch((err: Error) => {
        if (!controller.signal.aborted) setProblem(err.message);
      });
    return () => controller.abort();
  }, [c.documentId, c.versionId, c.charStart, c.charEnd]);

  useEffect(() => {
    markRef.current?.scrollIntoView({ block: "center" });
  }, [view]);

  const viewer = `/documents/${c.documentId}/view?version=${c.versionId}${c.pageStart !== null ? `&page=${c.pageStart}` : ""}&start=${c.charStart}&end=${c.charEnd}`;
  const original = `/api/documents/${c.documentId}/file?version=${c.versionId}`;
  return (
    <aside
      ref={panelRef}
      tabIndex={-1}
      role="dialog"
      aria-modal="false"
      aria-labelledby="citation-panel-title"
      // Beside the conversation on a wide screen, so the question box stays in reach; over it only
      // where there is no room for a third column.
      className="fixed inset-y-0 right-0 z-20 flex w-full max-w-md flex-col border-l border-gray-300 dark:border-gray-700 bg-white dark:bg-gray-900 shadow-xl focus:outline-none xl:sticky xl:top-4 xl:bottom-auto xl:self-start xl:z-0 xl:max-h-[calc(100vh-2rem)] xl:w-auto xl:max-w-none xl:rounded-md xl:border xl:shadow-none"
      data-testid="citation-panel"
    >
      <div className="flex items-start justify-between gap-3 border-b border-gray-200 dark:border-gray-700 px-4 py-3">
        <div className="min-w-0">
          <p className="text-xs text-gray-700 dark:text-gray-300">Source {c.n}</p>
          <h2
            id="citation-panel-title"
            className="text-base font-semibold text-gray-950 dark:text-gray-100"
            data-testid="citation-panel-title"
          >
            {citationLabel(c)}
          </h2>
          {c.headingPath ? (
            <p className="line-clamp-2 text-sm text-gray-800 dark:text-gray-200" title={c.headingPath}>
              {c.headingPath}
            </p>
          ) : null}
        </div>
        <Button variant="secondary" type="button" onClick={onClose} data-testid="citation-panel-close">
          Close
        </Button>
      </div>
      <div className="flex-1 overflow-y-auto px-4 py-3 text-sm leading-6 whitespace-pre-wrap text-gray-800 dark:text-gray-200">
        {c.ocrConfidence !== undefined ? (
          <p
            className="mb-2 rounded bg-blue-50 dark:bg-blue-950 p-2 text-xs text-blue-950 dark:text-blue-200"
            data-testid="citation-ocr"
          >
            This passage was read by OCR from a scanned page ({Math.round(c.ocrConfidence)}% confidence); words may
            differ from the original, so check it there.
          </p>
        ) : null}
        {view ? (
          <>
            {!view.current ? (
              <p
                className="mb-2 rounded bg-amber-50 dark:bg-amber-950 p-2 text-xs text-amber-950 dark:text-amber-200 not-italic"
                data-testid="citation-superseded"
              >
                A newer version of this document exists; this is version {view.versionNumber}, the one the answer cited.
              </p>
            ) : null}
            {view.truncatedBefore ? "… " : ""}
            {view.before}
            <mark
              ref={markRef}
              className="bg-yellow-200 dark:bg-yellow-700 text-gray-950 dark:text-gray-100"
              data-testid="citation-passage"
            >
              {view.passage}
            </mark>
            {view.after}
            {view.truncatedAfter ? " …" : ""}
          </>
        ) : problem ? (
          <>
            <p
              className="mb-2 rounded bg-gray-100 dark:bg-gray-800 p-2 text-xs text-gray-900 dark:text-gray-100"
              data-testid="citation-unavailable"
            >
              {problem} This is the passage as it was cited.
            </p>
            <mark
              className="bg-yellow-200 dark:bg-yellow-700 text-gray-950 dark:text-gray-100"
              data-testid="citation-passage"
            >
              {c.text}
            </mark>
          </>
        ) : (
          <p className="text-gray-700 dark:text-gray-300">Loading the passage…</p>
        )}
      </div>
      {!problem ? (
        <div className="flex flex-wrap gap-x-4 gap-y-1 border-t border-gray-200 dark:border-gray-700 px-4 py-3">
          <a href={viewer} target="_blank" rel="noopener" className={linkClass} data-testid="citation-open-viewer">
            Open the document{c.pageStart !== null ? ` at page ${c.pageStart}` : " at this passage"}
          </a>
          <a href={original} className={linkClass} data-testid="citation-open-original">
            Download the original
          </a>
          {c.newerVersion ? (
            <a
              href={`/documents/${c.documentId}/changes?from=${c.versionId}&to=${c.newerVersion.versionId}`}
              className={linkClass}
              data-testid="citation-changes"
            >
              A newer version exists — see what changed
            </a>
          ) : null}
        </div>
      ) : null}
    </aside>
  );
}
