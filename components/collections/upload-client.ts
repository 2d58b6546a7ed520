// The browser side of the upload API: one multipart request per file (XMLHttpRequest, because
// fetch cannot report upload progress), then the ingest job polled until it ends.

import type { UploadOutcome } from "@/lib/documents/upload";
import type { jobJson } from "@/lib/jobs/queue";

// Types only: these modules are server-only, and type imports vanish from the browser bundle.
export type { UploadOutcome };

/** The fields of `GET /api/jobs/:id` this page uses. */
export type JobState = Pick<ReturnType<typeof jobJson>, "id" | "status" | "progress" | "message" | "error">;

interface ErrorBody {
  error?: { code?: string; message?: string };
}

export class UploadError extends Error {}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UploadError("The server sent an answer that could not be read.", { cause: err });
  }
}

function errorMessage(status: number, body: unknown): string {
  const message = (body as ErrorBody | null)?.error?.message;
  return message ?? `The server answered with status ${status}.`;
}

/** Sends one file; resolves with the server's verdict on it, rejects with an UploadError when the request itself failed. */
export function uploadFile(
  url: string,
  file: File,
  { onProgress, signal }: { onProgress: (fraction: number) => void; signal: AbortSignal },
): Promise<UploadOutcome> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      try {
        const body = parseJson(xhr.responseText);
        const files = (body as { files?: UploadOutcome[] } | null)?.files;
        if (files?.[0]) resolve(files[0]);
        else reject(new UploadError(errorMessage(xhr.status, body)));
      } catch (err) {
        reject(err);
      }
    };
    xhr.onerror = () =>
      reject(new UploadError("The upload did not reach the server. Check the connection and try again."));
    xhr.onabort = () => reject(new UploadError("The upload was cancelled."));
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

const POLL_MS = 700;
// A few failed polls in a row (a restart, a blip) are tolerated before giving up on showing progress.
const MAX_POLL_FAILURES = 5;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Polls a job until it succeeds or fails, reporting each state; resolves null if aborted. */
export async function watchJob(
  jobId: string,
  { onState, signal }: { onState: (job: JobState) => void; signal: AbortSignal },
): Promise<JobState | null> {
  let failures = 0;
  for (;;) {
    await sleep(POLL_MS, signal);
    if (signal.aborted) return null;
    let res: Response;
    try {
      res = await fetch(`/api/jobs/${encodeURIComponent(jobId)}`, {
        headers: { Accept: "application/json" },
        cache: "no-store",
        signal,
      });
    } catch (err) {
      if (signal.aborted) return null;
      if (++failures >= MAX_POLL_FAILURES) {
        throw new UploadError(
          "Lost contact with the server while the file was processed. Reload the page to see its status.",
          { cause: err },
        );
      }
      continue;
    }
    const body = parseJson(await res.text());
    if (!res.ok) {
      if (res.status >= 500 && ++failures < MAX_POLL_FAILURES) continue;
      throw new UploadError(errorMessage(res.status, body));
    }
    failures = 0;
    const job = body as JobState;
    onState(job);
    if (job.status === "succeeded" || job.status === "failed") return job;
  }
}
