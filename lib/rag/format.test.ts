import { describe, expect, it } from "vitest";
import { citationLabel, referenceList } from "./format";
import type { Citation } from "./types";

const citation = (extra: Partial<Citation> = {}): Citation => ({
  n: 1,
  chunkId: "v:0",
  documentId: "d",
  versionId: "v",
  versionNumber: 2,
  versionSha256: null,
  title: "Visitor policy",
  headingPath: "Signing in",
  pageStart: 3,
  pageEnd: 3,
  charStart: 0,
  charEnd: 10,
  text: "Visitors sign in.",
  ...extra,
});

describe("how a citation is named", () => {
  it("says when the passage was read by OCR, with its confidence", () => {
    expect(citationLabel(citation({ ocrConfidence: 86.6 }))).toBe(
      "Visitor policy, version 2, page 3, read by OCR, 87% confidence",
    );
    expect(referenceList([citation({ ocrConfidence: 41 })])).toBe(
      "Sources:\n[1] Visitor policy, version 2, page 3, read by OCR, 41% confidence — Signing in",
    );
  });

  it("says nothing of OCR for text the file held, including citations stored before OCR existed", () => {
    expect(citationLabel(citation())).toBe("Visitor policy, version 2, page 3");
  });
});
