import { describe, expect, it } from "vitest";
import { compareTexts, splitSections } from "./compare";

const OLD = [
  "Isolation protocol",
  "Visitors wear gloves. Gowns are not required.",
  "Cleaning",
  "Rooms are cleaned daily.",
  "Transport",
  "Patients travel with a mask.",
].join("\n\n");
const NEW = [
  "Isolation protocol",
  "Visitors wear gloves. Gowns are required for every contact.",
  "Cleaning",
  "Rooms are cleaned daily.",
  "Waste",
  "Sharps go in the yellow bin.",
].join("\n\n");

describe("comparing two versions' texts", () => {
  it("splits text into sections under short headings", () => {
    expect(splitSections(OLD).map((s) => s.heading)).toEqual(["Isolation protocol", "Cleaning", "Transport"]);
  });

  it("names sections added, removed and changed, and leaves unchanged ones out", () => {
    const changes = compareTexts(OLD, NEW);
    expect(changes.map((c) => [c.heading, c.change])).toEqual([
      ["Isolation protocol", "changed"],
      ["Waste", "added"],
      ["Transport", "removed"],
    ]);
  });

  it("marks the changed sentence and the changed words, keeping the unchanged sentence", () => {
    const [changed] = compareTexts(OLD, NEW);
    expect(changed!.sentences).toEqual([
      { kind: "same", text: "Visitors wear gloves. " },
      { kind: "removed", text: "Gowns are not required." },
      { kind: "added", text: "Gowns are required for every contact." },
    ]);
    expect(changed!.words.filter((w) => w.kind === "removed").map((w) => w.text.trim())).toContain("not");
  });

  it("finds nothing between identical texts", () => {
    expect(compareTexts(OLD, OLD)).toEqual([]);
  });
});
