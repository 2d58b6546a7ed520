import { describe, expect, it } from "vitest";
import { pageStartOffsets } from "./pipeline";
import { canonicalText } from "@/lib/documents/parsed";

describe("page offsets for the masked rendition", () => {
  it("point at each page's first block in the canonical text, an empty page at the next text", () => {
    const doc = {
      pageCount: 4,
      blocks: [
        { kind: "paragraph" as const, text: "First page.", page: 1 },
        { kind: "paragraph" as const, text: "Still the first.", page: 1 },
        { kind: "paragraph" as const, text: "Third page.", page: 3 },
        { kind: "paragraph" as const, text: "Fourth.", page: 4 },
      ],
    };
    const text = canonicalText(doc);
    const starts = pageStartOffsets(doc)!;
    expect(starts.map((s) => text.slice(s, s + 5))).toEqual(["First", "Third", "Third", "Fourt"]);
  });

  it("are absent for formats without pages", () => {
    expect(pageStartOffsets({ pageCount: undefined, blocks: [{ kind: "paragraph", text: "No pages." }] })).toBeNull();
  });
});
