"use client";

import { useEffect, useRef } from "react";

// A document that is not a PDF, or the masked rendition, as text page by page, scrolled to the
// cited passage (highlighted) or to the page asked for.

export function TextViewer({
  pages,
  initialPage,
  passages,
  masked,
}: {
  pages: string[];
  initialPage: number;
  passages: { page: number; start: number; end: number }[];
  masked: boolean;
}) {
  const markRef = useRef<HTMLElement>(null);
  const pageRef = useRef<HTMLElement>(null);

  useEffect(() => {
    (markRef.current ?? pageRef.current)?.scrollIntoView({ block: "center" });
  }, []);

  return (
    <div className="space-y-6" data-testid="viewer-text" data-masked={masked ? "true" : undefined}>
      {pages.map((text, i) => {
        const hit = passages.find((p) => p.page === i);
        return (
          <section
            key={i}
            ref={i + 1 === initialPage ? pageRef : undefined}
            aria-label={pages.length > 1 ? `Page ${i + 1}` : "Text"}
            className="rounded-md border border-gray-300 dark:border-gray-700 bg-white dark:bg-gray-900 p-4"
            data-testid="viewer-text-page"
            data-page={i + 1}
          >
            {pages.length > 1 ? (
              <h2 className="mb-2 text-sm font-semibold text-gray-700 dark:text-gray-300">Page {i + 1}</h2>
            ) : null}
            <p className="text-sm leading-6 whitespace-pre-wrap text-gray-950 dark:text-gray-100">
              {hit ? (
                <>
                  {text.slice(0, hit.start)}
                  <mark
                    ref={hit === passages[0] ? markRef : undefined}
                    className="bg-yellow-200 dark:bg-yellow-700 text-gray-950 dark:text-gray-100"
                    data-testid="viewer-highlight"
                  >
                    {text.slice(hit.start, hit.end)}
                  </mark>
                  {text.slice(hit.end)}
                </>
              ) : (
                text
              )}
            </p>
          </section>
        );
      })}
    </div>
  );
}
