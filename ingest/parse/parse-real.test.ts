import { describe, expect, it } from "vitest";
import { chunkDocument } from "../chunk/chunker";
import { canonicalText, type ParsedBlock, type ParsedDocument } from "@/lib/documents/parsed";
import { parseRegdoc, REAL_DOCS } from "./test-helpers";

function blockContaining(doc: ParsedDocument, text: string): ParsedBlock {
  const block = doc.blocks.find((b) => b.text.includes(text));
  if (!block) throw new Error(`no block contains ${JSON.stringify(text)}`);
  return block;
}

function headingPathOf(doc: ParsedDocument, text: string): string[] {
  const canonical = canonicalText(doc);
  const at = canonical.indexOf(text);
  const chunk = chunkDocument(doc).find((c) => c.charStart <= at && at < c.charEnd);
  if (at < 0 || !chunk) throw new Error(`no chunk contains ${JSON.stringify(text)}`);
  return chunk.headingPath;
}

describe("PDF: FFIEC IT Handbook, Management booklet (66 pages)", () => {
  it("reports every page and a sensible title", async () => {
    const doc = await parseRegdoc(REAL_DOCS.pdf);
    expect(doc.format).toBe("pdf");
    expect(doc.pageCount).toBe(66);
    // The metadata title is "INTRODUCTION"; the cover's largest line is the booklet's name.
    expect(doc.title).toBe("Management");
    expect(doc.warnings).toEqual([]);
  });

  it("puts known sentences on their page, with lines rejoined into one paragraph", async () => {
    const doc = await parseRegdoc(REAL_DOCS.pdf);
    const board = blockContaining(
      doc,
      "The board of directors sets the tone and direction for an institution’s use of IT.",
    );
    expect(board).toMatchObject({ kind: "paragraph", page: 5 });
    expect(board.text).toContain(
      "information security program, and other IT-related policies. To carry out their responsibilities",
    );
    expect(
      blockContaining(doc, "Board sets the tone and direction for the institution’s use of technology.").page,
    ).toBe(42);
  });

  it("turns the outline into headings with levels, giving heading paths", async () => {
    const doc = await parseRegdoc(REAL_DOCS.pdf);
    const headings = doc.blocks.filter((b) => b.kind === "heading");
    expect(headings).toContainEqual({ kind: "heading", level: 1, text: "I Governance", page: 5 });
    expect(headings).toContainEqual({ kind: "heading", level: 3, text: "I.A.1 Board of Directors Oversight", page: 5 });
    expect(headingPathOf(doc, "The board of directors sets the tone and direction")).toEqual([
      "I Governance",
      "I.A IT Governance",
      "I.A.1 Board of Directors Oversight",
    ]);
  });

  it("drops the running header and footer but keeps footnotes", async () => {
    const doc = await parseRegdoc(REAL_DOCS.pdf);
    const text = canonicalText(doc);
    expect(text).not.toContain("FFIEC IT Examination Handbook Management");
    expect(text).not.toMatch(/November 2015 \d+/);
    expect(blockContaining(doc, "Board Briefing on IT Governance, 2nd edition").page).toBe(5);
  });
});

describe("DOCX: GSA FedRAMP OSCAL Overview", () => {
  it("renders tables as 'cell | cell' rows, header row first", async () => {
    const doc = await parseRegdoc(REAL_DOCS.docx);
    expect(doc.format).toBe("docx");
    const table = blockContaining(doc, "XML Equivalent");
    expect(table.kind).toBe("table");
    const rows = table.text.split("\n");
    expect(rows[0]).toBe("Term | XML Equivalent | JSON Equivalent");
    expect(rows).toContain(
      "Field | A single element or node that can hold a value or an attribute | A single object that can hold a value or property",
    );
    expect(rows).toContain("Flag | Attribute | Property");
  });

  it("keeps Word headings as levelled headings and heading paths", async () => {
    const doc = await parseRegdoc(REAL_DOCS.docx);
    expect(doc.title).toBe("Overview");
    expect(doc.blocks[0]).toEqual({ kind: "heading", level: 1, text: "Overview" });
    expect(blockContaining(doc, "Basic Terminology")).toMatchObject({ kind: "heading", level: 2 });
    expect(headingPathOf(doc, "Flag | Attribute | Property")).toEqual(["Overview", "Basic Terminology"]);
    expect(headingPathOf(doc, "This document is intended for technical staff")).toEqual([
      "Overview",
      "Who Should Use This Document?",
    ]);
  });
});

describe("HTML: FedRAMP OSCAL registry", () => {
  it("drops the stylesheet and keeps the title and headings", async () => {
    const doc = await parseRegdoc(REAL_DOCS.html);
    expect(doc.format).toBe("html");
    expect(doc.title).toBe("OSCAL Extensions Model [display]");
    const text = canonicalText(doc);
    expect(text).not.toContain("font-family");
    expect(text).not.toContain("table.spread");
    expect(doc.blocks[0]).toEqual({ kind: "heading", level: 1, text: "FedRAMP OSCAL Registry" });
  });

  it("lifts headings out of table cells so each registry row gets a section", async () => {
    const doc = await parseRegdoc(REAL_DOCS.html);
    expect(blockContaining(doc, "Response Point")).toEqual({ kind: "heading", level: 4, text: "Response Point" });
    const row = blockContaining(
      doc,
      "A property whose presence indicates its parent part is a required point of response",
    );
    expect(row.kind).toBe("table");
    expect(row.text).toMatch(/^0 or 1 \| n\/a \| 0 or 1 \| 0 or 1 \| n\/a \| A property whose presence/);
    expect(headingPathOf(doc, "A property whose presence indicates")).toEqual([
      "FedRAMP OSCAL Registry",
      "Response Point",
    ]);
  });
});

describe("Markdown", () => {
  it("gives heading paths and renders nested lists", async () => {
    const doc = await parseRegdoc(REAL_DOCS.markdown);
    expect(doc.format).toBe("markdown");
    expect(doc.title).toBe("7. System Access Policy");
    expect(headingPathOf(doc, "- 01.d - User Password Management")).toEqual([
      "7. System Access Policy",
      "7.1 Applicable Standards",
      "7.1.1 Applicable Standards from the HITRUST Common Security Framework",
    ]);
    const list = blockContaining(doc, "1. User IDs and passwords are used to control access");
    expect(list.kind).toBe("list");
    expect(list.text).toContain("\n  - a minimum length of 8 characters;\n");
    expect(headingPathOf(doc, "a minimum length of 8 characters")).toEqual([
      "7. System Access Policy",
      "7.12 Password Management",
    ]);
  });

  it("strips inline HTML anchors from headings and decodes entities", async () => {
    const doc = await parseRegdoc(REAL_DOCS.markdownWithHtml);
    expect(doc.blocks[0]).toEqual({ kind: "heading", level: 2, text: "4 Identity Assurance Level Requirements" });
    expect(
      blockContaining(doc, "such attributes — to the extent they are the minimum necessary — could include:").kind,
    ).toBe("paragraph");
    expect(canonicalText(doc)).not.toMatch(/<a name=|&mdash;/);
  });
});

describe("JSON: NIST SP 800-53 rev. 5 moderate baseline (OSCAL catalog)", () => {
  it("makes group, control and enhancement headings", async () => {
    const doc = await parseRegdoc(REAL_DOCS.oscal);
    expect(doc.format).toBe("json");
    expect(doc.title).toBe("NIST Special Publication 800-53 Revision 5.1.1 MODERATE IMPACT BASELINE");
    const headings = doc.blocks.filter((b) => b.kind === "heading");
    expect(headings[0]).toEqual({ kind: "heading", level: 1, text: "AC Access Control" });
    expect(headings).toContainEqual({ kind: "heading", level: 2, text: "AC-2 Account Management" });
    expect(headings).toContainEqual({ kind: "heading", level: 3, text: "AC-2(1) Automated System Account Management" });
  });

  it("keeps statement items with their labels and substitutes parameters", async () => {
    const doc = await parseRegdoc(REAL_DOCS.oscal);
    const item = blockContaining(doc, "for group and role membership;");
    expect(item.text).toBe(
      "c. Require [Assignment: organization-defined prerequisites and criteria] for group and role membership;",
    );
    expect(headingPathOf(doc, item.text)).toEqual(["AC Access Control", "AC-2 Account Management"]);
    expect(blockContaining(doc, "access control policy that:").text).toBe(
      "1. [Selection (one or more): organization-level; mission/business process-level; system-level] access control policy that:",
    );
    expect(blockContaining(doc, "Discussion: Examples of system account types include").kind).toBe("paragraph");
    expect(canonicalText(doc)).not.toContain("{{ insert");
  });
});
