import { AppError } from "@/lib/errors";

/**
 * A search index built by another embedding model cannot answer until it is rebuilt; say so
 * rather than "internal error", so the asker knows to wait and an administrator knows what to run.
 */
export function asUnavailable(err: unknown): unknown {
  if (err instanceof Error && err.name === "EmbedderMismatchError") {
    return new AppError(
      "unavailable",
      "Answers are unavailable while the search index is rebuilt for a new embedding model. An administrator must run `npm run cli -- reindex` (or `reindex --swap` when an index staged with this model is ready).",
      {
        cause: err,
        expose: true,
      },
    );
  }
  return err;
}
