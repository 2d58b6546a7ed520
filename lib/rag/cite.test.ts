import { describe, expect, it } from "vitest";
import { checkAnswer, splitSentences } from "./cite";
import type { RetrievedPassage } from "./types";

function passage(n: number, text: string): RetrievedPassage {
  return {
    n,
    chunkId: `00000000-0000-4000-8000-00000000000${n}:0`,
    documentId: `10000000-0000-4000-8000-00000000000${n}`,
    versionId: `20000000-0000-4000-8000-00000000000${n}`,
    collectionId: "30000000-0000-4000-8000-000000000001",
    title: `Doc ${n}`,
    headingPath: "A > B",
    pageStart: n,
    pageEnd: n,
    charStart: 0,
    charEnd: text.length,
    text,
    score: 1 / n,
    vectorScore: 0.5,
    textRank: n,
    vectorRank: n,
  };
}

const passages = [
  passage(
    1,
    "Workforce members must report a suspected security incident to the Security Officer within 24 hours of discovery.",
  ),
  passage(2, "Backups of production databases are encrypted and retained for thirty days in a separate region."),
];
const versions = new Map(passages.map((p, i) => [p.versionId, { versionNumber: i + 1, sha256: `${i}`.repeat(64) }]));

describe("checkAnswer", () => {
  it("maps each [n] to its passage, with document, version, page and heading", async () => {
    const r = await checkAnswer({
      answer:
        "Suspected security incidents must be reported to the Security Officer within 24 hours [1]. Backups are encrypted and kept thirty days [2].",
      passages,
      versions,
    });
    expect(r.citations.map((c) => c.n)).toEqual([1, 2]);
    expect(r.citations[0]).toMatchObject({
      documentId: passages[0]!.documentId,
      versionNumber: 1,
      versionSha256: "0".repeat(64),
      pageStart: 1,
      headingPath: "A > B",
    });
    expect(r.sentences.map((s) => s.support)).toEqual(["supported", "supported"]);
    expect(r.removed).toEqual([]);
  });

  it("removes citations to passages that were not retrieved, from the text and the list", async () => {
    const r = await checkAnswer({
      answer: "Incidents go to the Security Officer within 24 hours [1][7]. Ask IT [9].",
      passages,
      versions,
    });
    expect(r.text).toBe("Incidents go to the Security Officer within 24 hours [1]. Ask IT.");
    expect(r.citations.map((c) => c.n)).toEqual([1]);
    expect(r.removed).toEqual([7, 9]);
    expect(r.sentences[1]).toMatchObject({ citations: [], support: "uncited" });
  });

  it("reads lists and ranges of numbers", async () => {
    const r = await checkAnswer({ answer: "Both apply [1, 2]. Again [1-2]. And [2;1].", passages, versions });
    expect(r.sentences.map((s) => s.citations)).toEqual([
      [1, 2],
      [1, 2],
      [2, 1],
    ]);
    expect(r.text).toBe("Both apply [1][2]. Again [1][2]. And [2][1].");
  });

  it("flags a cited sentence its passage does not support", async () => {
    const r = await checkAnswer({
      answer:
        "Incidents are reported within 24 hours [1]. Contractors receive annual bonuses paid in cryptocurrency tokens [2].",
      passages,
      versions,
    });
    expect(r.sentences[0]!.support).toBe("supported");
    expect(r.sentences[1]!.support).toBe("weak");
    expect(r.sentences[1]!.supportScore).toBeLessThan(0.6);
  });

  it("keeps a citation written after the full stop with its sentence", async () => {
    expect(splitSentences("Backups are encrypted. [2] Incidents go to security. [1]")).toEqual([
      "Backups are encrypted. [2] ",
      "Incidents go to security. [1]",
    ]);
    const r = await checkAnswer({
      answer: "Backups are encrypted. [2] Incidents go to the Security Officer. [1]",
      passages,
      versions,
    });
    expect(r.sentences.map((s) => s.citations)).toEqual([[2], [1]]);
  });

  it("does not demand citations for sentences that make no claim", async () => {
    const r = await checkAnswer({ answer: "Yes. Incidents go to the Security Officer [1].", passages, versions });
    expect(r.sentences[0]).toMatchObject({ support: "uncited", supportScore: 1 });
  });
});

describe("shortHeadingPath", () => {
  it("drops the title repeated at the start and keeps the last two levels", async () => {
    const { shortHeadingPath } = await import("./format");
    expect(
      shortHeadingPath(
        "Guide to Infection Prevention",
        "GUIDE TO INFECTION PREVENTION > Minimum expectations > Hand hygiene > Soap",
      ),
    ).toBe("… > Hand hygiene > Soap");
    expect(shortHeadingPath("Breach Policy", "Breach Policy")).toBe("");
    expect(shortHeadingPath("Doc", "Scope > Rules")).toBe("Scope > Rules");
  });
});
