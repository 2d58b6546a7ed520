"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useId, useRef, useState, type DragEvent } from "react";
import { formatBytes, formatPercent } from "./format";
import { uploadFile, watchJob, type JobState } from "./upload-client";
import { Button } from "@/components/ui/button";

// Each file travels on its own request and is followed on its own row, so one bad file never
// sinks the others and the person sees where each one is: uploading, queued, processing, and
// how it ended. The documents table reloads once every file has ended.

type Phase = "waiting" | "uploading" | "queued" | "processing" | "done";
type Ending = "ready" | "unchanged" | "failed" | "rejected";

interface UploadItem {
  key: number;
  fileName: string;
  size: number;
  phase: Phase;
  /** 0..1 over the whole journey: the upload fills the first part of the bar, processing the rest. */
  progress: number;
  detail: string | null;
  ending: Ending | null;
  reason: string | null;
}

const UPLOAD_SHARE = 0.3;
// Enough to keep the line busy without queueing every file of a large drop at once.
const PARALLEL_UPLOADS = 3;

function statusText(item: UploadItem): string {
  switch (item.phase) {
    case "waiting":
      return "Waiting to upload";
    case "uploading":
      return `Uploading ${formatPercent(item.progress / UPLOAD_SHARE)}`;
    case "queued":
      return "Queued for processing";
    case "processing":
      return `Processing ${formatPercent((item.progress - UPLOAD_SHARE) / (1 - UPLOAD_SHARE))}`;
    case "done":
      if (item.ending === "ready") return "Ready";
      if (item.ending === "unchanged") return "Unchanged";
      if (item.ending === "failed") return `Failed: ${item.reason}`;
      return `Rejected: ${item.reason}`;
  }
}

const BAR =
  "h-2 w-full appearance-none overflow-hidden rounded [&::-webkit-progress-bar]:bg-gray-200 dark:[&::-webkit-progress-bar]:bg-gray-700";
const barClass: Record<"running" | Ending, string> = {
  running: `${BAR} [&::-webkit-progress-value]:bg-blue-700 [&::-moz-progress-bar]:bg-blue-700`,
  ready: `${BAR} [&::-webkit-progress-value]:bg-green-700 [&::-moz-progress-bar]:bg-green-700`,
  unchanged: `${BAR} [&::-webkit-progress-value]:bg-green-700 [&::-moz-progress-bar]:bg-green-700`,
  failed: `${BAR} [&::-webkit-progress-value]:bg-red-700 [&::-moz-progress-bar]:bg-red-700`,
  rejected: `${BAR} [&::-webkit-progress-value]:bg-red-700 [&::-moz-progress-bar]:bg-red-700`,
};

const endingClass: Record<Ending, string> = {
  ready: "text-green-900 dark:text-green-200",
  unchanged: "text-gray-800 dark:text-gray-200",
  failed: "text-red-800 dark:text-red-300",
  rejected: "text-red-800 dark:text-red-300",
};

/** A counting semaphore: at most `limit` holders at once. */
function createLimiter(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async acquire() {
      if (active < limit) {
        active++;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else active--;
    },
  };
}

export function UploadZone({ collectionId, maxUploadBytes }: { collectionId: string; maxUploadBytes: number }) {
  const router = useRouter();
  const inputId = useId();
  const hintId = `${inputId}-hint`;
  const [items, setItems] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const nextKey = useRef(0);
  const running = useRef(0);
  const limiter = useRef(createLimiter(PARALLEL_UPLOADS));
  const abort = useRef<AbortController | null>(null);

  // Leaving the page stops the uploads and polls this page started; the server keeps processing.
  useEffect(() => {
    const controller = new AbortController();
    abort.current = controller;
    return () => controller.abort();
  }, []);

  const update = useCallback((key: number, patch: Partial<UploadItem>) => {
    setItems((all) => all.map((item) => (item.key === key ? { ...item, ...patch } : item)));
  }, []);

  const finish = useCallback(
    (key: number, ending: Ending, reason: string | null, detail?: string | null) => {
      // A full bar says the file's journey ended; the text and colour say how.
      update(key, { phase: "done", ending, reason, progress: 1, ...(detail !== undefined ? { detail } : {}) });
    },
    [update],
  );

  const handleFile = useCallback(
    async (key: number, file: File, signal: AbortSignal) => {
      if (file.size > maxUploadBytes) {
        finish(key, "rejected", `The file is ${formatBytes(file.size)}; the limit is ${formatBytes(maxUploadBytes)}.`);
        return;
      }
      await limiter.current.acquire();
      let outcome;
      try {
        if (signal.aborted) return;
        update(key, { phase: "uploading", progress: 0 });
        outcome = await uploadFile(`/api/collections/${encodeURIComponent(collectionId)}/documents`, file, {
          signal,
          onProgress: (fraction) => update(key, { progress: UPLOAD_SHARE * fraction }),
        });
      } catch (err) {
        if (!signal.aborted) finish(key, "failed", (err as Error).message);
        return;
      } finally {
        limiter.current.release();
      }

      if (outcome.status === "rejected") return finish(key, "rejected", outcome.error.message);
      if (outcome.status === "unchanged") return finish(key, "unchanged", null, outcome.message);

      update(key, { phase: "queued", progress: UPLOAD_SHARE, detail: `Version ${outcome.versionNumber}` });
      try {
        const job = await watchJob(outcome.jobId, {
          signal,
          onState: (state: JobState) => {
            if (state.status === "queued" || state.status === "running") {
              update(key, {
                phase: state.status === "queued" ? "queued" : "processing",
                progress: UPLOAD_SHARE + (1 - UPLOAD_SHARE) * state.progress,
                // A queued job with an error is waiting to retry after a passing failure.
                detail: state.status === "queued" && state.error ? `Will retry: ${state.error}` : state.message,
              });
            }
          },
        });
        if (!job) return;
        if (job.status === "succeeded") finish(key, "ready", null, job.message);
        // The last progress message ("Reading the file") would only confuse next to the reason.
        else finish(key, "failed", job.error ?? "Processing failed.", null);
      } catch (err) {
        if (!signal.aborted) finish(key, "failed", (err as Error).message);
      }
    },
    [collectionId, maxUploadBytes, finish, update],
  );

  const start = useCallback(
    (files: File[]) => {
      const signal = abort.current?.signal;
      if (!signal || files.length === 0) return;
      const batch = files.map((file) => ({ key: nextKey.current++, file }));
      setItems((all) => [
        ...all,
        ...batch.map(({ key, file }) => ({
          key,
          fileName: file.name,
          size: file.size,
          phase: "waiting" as const,
          progress: 0,
          detail: null,
          ending: null,
          reason: null,
        })),
      ]);
      running.current += batch.length;
      for (const { key, file } of batch) {
        void handleFile(key, file, signal).finally(() => {
          running.current -= 1;
          if (running.current === 0 && !signal.aborted) router.refresh();
        });
      }
    },
    [handleFile, router],
  );

  function onDrop(event: DragEvent<HTMLLabelElement>) {
    event.preventDefault();
    setDragging(false);
    start(Array.from(event.dataTransfer.files));
  }

  function onDragOver(event: DragEvent<HTMLLabelElement>) {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    setDragging(true);
  }

  const finished = items.filter((i) => i.phase === "done").length;
  const succeeded = items.filter((i) => i.ending === "ready" || i.ending === "unchanged").length;
  // One summary for screen readers when a batch ends, rather than every percentage of every row.
  const summary =
    items.length > 0 && finished === items.length
      ? `${finished} upload${finished === 1 ? "" : "s"} finished: ${succeeded} ready or unchanged, ${finished - succeeded} failed or rejected.`
      : "";

  return (
    <div className="space-y-4" data-testid="upload-zone">
      <label
        htmlFor={inputId}
        data-testid="upload-drop"
        onDragOver={onDragOver}
        onDragEnter={onDragOver}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={`flex cursor-pointer flex-col items-center justify-center gap-1 rounded-md border-2 border-dashed px-4 py-8 text-center text-sm focus-within:outline-2 focus-within:outline-offset-2 focus-within:outline-blue-700 dark:focus-within:outline-blue-400 ${
          dragging
            ? "border-blue-700 dark:border-blue-400 bg-blue-50 dark:bg-blue-950"
            : "border-gray-400 dark:border-gray-600 bg-gray-50 dark:bg-gray-900 hover:bg-gray-100 dark:hover:bg-gray-800"
        }`}
      >
        <span className="font-medium text-gray-900 dark:text-gray-100">Drop files here, or choose files</span>
        <span id={hintId} className="text-gray-700 dark:text-gray-300">
          PDF (scanned too), Word (.docx), HTML, Markdown, text, CSV, JSON, or PNG, JPEG and TIFF images; up to{" "}
          {formatBytes(maxUploadBytes)} each. A file with the name of an existing document becomes its new version.
        </span>
        <input
          id={inputId}
          type="file"
          multiple
          className="sr-only"
          aria-describedby={hintId}
          data-testid="upload-input"
          onChange={(event) => {
            start(Array.from(event.currentTarget.files ?? []));
            // Choosing the same file again (a corrected copy) must fire change again.
            event.currentTarget.value = "";
          }}
        />
      </label>

      <p role="status" className="sr-only" data-testid="upload-summary">
        {summary}
      </p>
      {items.length > 0 ? (
        <div className="space-y-2">
          <ul
            className="divide-y divide-gray-200 dark:divide-gray-700 rounded-md border border-gray-300 dark:border-gray-700"
            aria-label="Uploads"
            data-testid="upload-list"
          >
            {items.map((item) => {
              const labelId = `${inputId}-item-${item.key}`;
              return (
                <li key={item.key} className="space-y-1 px-3 py-2 text-sm" data-testid={`upload-row-${item.fileName}`}>
                  <div className="flex flex-wrap items-baseline justify-between gap-x-4">
                    <span id={labelId} className="font-medium wrap-anywhere text-gray-900 dark:text-gray-100">
                      {item.fileName}
                    </span>
                    <span className="text-gray-700 dark:text-gray-300">{formatBytes(item.size)}</span>
                  </div>
                  <progress
                    className={barClass[item.ending ?? "running"]}
                    max={1}
                    value={item.progress}
                    aria-labelledby={labelId}
                    data-testid="upload-progress"
                  />
                  <p
                    data-testid="upload-status"
                    className={
                      item.ending ? `font-medium ${endingClass[item.ending]}` : "text-gray-800 dark:text-gray-200"
                    }
                  >
                    {statusText(item)}
                  </p>
                  {item.detail ? (
                    <p className="text-gray-700 dark:text-gray-300" data-testid="upload-message">
                      {item.detail}
                    </p>
                  ) : null}
                </li>
              );
            })}
          </ul>
          {finished > 0 && finished === items.length ? (
            <Button variant="secondary" type="button" onClick={() => setItems([])} data-testid="upload-clear">
              Clear the list
            </Button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
