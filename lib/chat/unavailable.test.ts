import { describe, expect, it } from "vitest";
import type { AppError } from "@/lib/errors";
import { EmbedderMismatchError } from "@/lib/vector/store";
import { asUnavailable } from "./unavailable";

describe("a search index built by another embedding model", () => {
  it("is reported as unavailable with what to run, not as an internal error", () => {
    const err = asUnavailable(
      new EmbedderMismatchError({ embedderId: "gguf:old", dim: 384 }, { embedderId: "use-lite", dim: 512 }),
    ) as AppError;
    expect(err.status).toBe(503);
    expect(err.toJSON().error.message).toMatch(/npm run cli -- reindex/);
    expect(err.toJSON().error.message).toContain("`reindex --swap` when an index staged with this model is ready");
  });
});
