"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { PDFDocumentProxy, RenderTask, TextLayer } from "pdfjs-dist";
import { passageItems } from "./passage-match";
import { Button } from "@/components/ui/button";

// A PDF drawn in the page by pdf.js: one page at a time on a canvas, with pdf.js's text layer
// over it so the cited words can be highlighted (and selected). The file comes from
// GET /api/documents/:id/file, so the download's access rule decides what may be shown. pdf.js
// runs on the main thread (its worker module is loaded as an ordinary chunk) and never evaluates
// code from the file, which keeps it inside a strict Content-Security-Policy.

type PdfJs = typeof import("pdfjs-dist");

let loader: Promise<PdfJs> | null = null;
function loadPdfJs(): Promise<PdfJs> {
  loader ??= (async () => {
    const [pdfjs, worker] = await Promise.all([import("pdfjs-dist"), import("pdfjs-dist/build/pdf.worker.min.mjs")]);
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    return pdfjs;
  })();
  loader.catch(() => (loader = null));
  return loader;
}

export function PdfViewer({
  documentId,
  versionId,
  initialPage,
  passages,
  passageText,
}: {
  documentId: string;
  versionId: string;
  initialPage: number;
  /** The cited passage's text per page (0-based), as the ingester read it. */
  passages: { page: number; text: string }[];
  passageText: string | null;
}) {
  const [pdf, setPdf] = useState<{ lib: PdfJs; doc: PDFDocumentProxy } | null>(null);
  const [page, setPage] = useState(initialPage);
  const [problem, setProblem] = useState<string | null>(null);
  const [hits, setHits] = useState<number | null>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const textRef = useRef<HTMLDivElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let doc: PDFDocumentProxy | null = null;
    const controller = new AbortController();
    (async () => {
      const lib = await loadPdfJs();
      const res = await fetch(`/api/documents/${documentId}/file?version=${versionId}`, {
        cache: "no-store",
        signal: controller.signal,
      });
      if (!res.ok) {
        throw new Error(await errorMessageOf(res));
      }
      const data = new Uint8Array(await res.arrayBuffer());
      doc = await lib.getDocument({ data, isEvalSupported: false, enableXfa: false }).promise;
      if (controller.signal.aborted) return;
      setPdf({ lib, doc });
    })().catch((err: Error) => {
      if (!controller.signal.aborted) setProblem(err.message);
    });
    return () => {
      controller.abort();
      void doc?.destroy();
    };
  }, [documentId, versionId]);

  const pageCount = pdf?.doc.numPages ?? 0;
  const shown = pageCount > 0 ? Math.min(Math.max(1, page), pageCount) : page;

  useEffect(() => {
    if (!pdf || !canvasRef.current || !textRef.current || !boxRef.current) return;
    let cancelled = false;
    let task: RenderTask | null = null;
    let layer: TextLayer | null = null;
    const canvas = canvasRef.current;
    const text = textRef.current;
    (async () => {
      const p = await pdf.doc.getPage(shown);
      const base = p.getViewport({ scale: 1 });
      // The page and its 1 px border on each side fit the box, so no edge is scrolled out of sight.
      const room = (boxRef.current?.clientWidth ?? base.width + 2) - 2;
      const scale = Math.min(1.6, Math.max(0.5, room / base.width));
      const viewport = p.getViewport({ scale });
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      task = p.render({
        canvas,
        canvasContext: canvas.getContext("2d")!,
        viewport,
        transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined,
      });
      await task.promise;
      if (cancelled) return;
      text.replaceChildren();
      text.style.setProperty("--total-scale-factor", String(scale));
      text.style.setProperty("--scale-factor", String(scale));
      layer = new pdf.lib.TextLayer({ textContentSource: await p.getTextContent(), container: text, viewport });
      await layer.render();
      if (cancelled) return;
      // The piece of the passage the ingester put on this page; the whole passage when unknown.
      const wanted = passages.filter((x) => x.page === shown - 1).map((x) => x.text);
      if (wanted.length === 0 && passages.length === 0 && passageText) wanted.push(passageText);
      const marked = new Set(wanted.flatMap((w) => passageItems(layer!.textContentItemsStr, w)));
      layer.textDivs.forEach((div, i) => {
        if (!marked.has(i)) return;
        div.classList.add("viewer-hit");
        div.dataset.testid = "viewer-highlight";
      });
      setHits(marked.size);
      text.querySelector(".viewer-hit")?.scrollIntoView({ block: "center" });
    })().catch((err: Error) => {
      if (!cancelled && err.name !== "RenderingCancelledException") setProblem(err.message);
    });
    return () => {
      cancelled = true;
      task?.cancel();
      layer?.cancel();
    };
  }, [pdf, shown, passages, passageText]);

  const go = useCallback(
    (n: number) => {
      const next = Math.min(Math.max(1, n), pageCount || 1);
      setPage(next);
      const url = new URL(window.location.href);
      url.searchParams.set("page", String(next));
      window.history.replaceState(null, "", url);
    },
    [pageCount],
  );

  if (problem)
    return (
      <p
        role="alert"
        className="rounded-md border border-red-300 dark:border-red-800 bg-red-50 dark:bg-red-950 p-3 text-sm text-red-900 dark:text-red-200"
      >
        {problem}
      </p>
    );

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <Button
          variant="secondary"
          type="button"
          onClick={() => go(shown - 1)}
          disabled={!pdf || shown <= 1}
          data-testid="viewer-prev"
        >
          Previous page
        </Button>
        <p className="text-sm text-gray-900 dark:text-gray-100" aria-live="polite" data-testid="viewer-page">
          {pdf ? `Page ${shown} of ${pageCount}` : "Loading the document…"}
        </p>
        <Button
          variant="secondary"
          type="button"
          onClick={() => go(shown + 1)}
          disabled={!pdf || shown >= pageCount}
          data-testid="viewer-next"
        >
          Next page
        </Button>
        {hits !== null && passages.length > 0 ? (
          <p className="text-sm text-gray-700 dark:text-gray-300" data-testid="viewer-hit-note">
            {hits > 0 ? "The cited passage is highlighted." : "The cited passage is not on this page."}
          </p>
        ) : null}
      </div>
      <div ref={boxRef} className="max-w-4xl overflow-x-auto">
        <div
          className="relative inline-block border border-gray-300 dark:border-gray-700 bg-white dark:bg-gray-900 shadow-sm"
          data-testid="viewer-pdf"
        >
          <canvas ref={canvasRef} aria-label={`Page ${shown} of the document`} role="img" />
          <div ref={textRef} className="textLayer" />
        </div>
      </div>
    </div>
  );
}

/** The server's message for a refused file request; the status alone when the body is not our JSON error (a proxy's page). */
async function errorMessageOf(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const message = (JSON.parse(text) as { error?: { message?: string } }).error?.message;
    if (message) return message;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  return `The file could not be loaded (HTTP ${res.status}).`;
}
