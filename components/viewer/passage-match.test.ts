import { describe, expect, it } from "vitest";
import { passageItems } from "./passage-match";

const page = [
  "Dressing changes",
  "Transparent dressings on central venous catheters are changed every seven days.",
  "Gauze dressings are changed every two days or sooner if damp,",
  " loosened or soiled.",
  "Clean the insertion site with chlorhexidine before applying a new dressing.",
];

describe("finding a cited passage among a PDF page's text items", () => {
  it("marks exactly the items the passage covers, across line breaks and spacing", () => {
    expect(
      passageItems(page, "Gauze dressings are changed every two days or sooner if damp, loosened   or soiled."),
    ).toEqual([2, 3]);
  });

  it("marks the part on this page of a passage that continues on the next", () => {
    expect(
      passageItems(page, "Clean the insertion site with chlorhexidine before applying a new dressing. Page two text"),
    ).toEqual([4]);
    expect(passageItems(page, "End of page one. Dressing changes\nTransparent dressings on central")).toEqual([0, 1]);
  });

  it("marks nothing when the passage is not on the page", () => {
    expect(passageItems(page, "Paediatric and neonatal units follow their own protocol.")).toEqual([]);
    expect(passageItems(page, "")).toEqual([]);
  });
});
