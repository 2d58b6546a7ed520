import { describe, expect, it } from "vitest";
import { canonicalText, type ParsedDocument } from "@/lib/documents/parsed";
import { parseDocument } from "./index";

function parse(text: string | Buffer, filename: string): Promise<ParsedDocument> {
  return parseDocument(typeof text === "string" ? new TextEncoder().encode(text) : new Uint8Array(text), { filename });
}

describe("plain text", () => {
  it("splits paragraphs on blank lines, normalising CRLF and dropping the BOM", async () => {
    const doc = await parse("\uFEFFFirst line\r\nstill first.\r\n\r\n\r\nSecond paragraph.\r\n", "notes.txt");
    expect(doc).toEqual({
      format: "text",
      blocks: [
        { kind: "paragraph", text: "First line\nstill first." },
        { kind: "paragraph", text: "Second paragraph." },
      ],
      warnings: [],
    });
  });

  it("removes stray control characters that the index and Postgres cannot take", async () => {
    // A few strays in a real document; a high proportion would mean a binary file instead.
    const doc = await parse(
      `Badge\u0007 office\u001b hours are 9\u20135.\n\n${"Visitors sign in at reception. ".repeat(10)}`,
      "hours.txt",
    );
    expect(doc.blocks[0]).toEqual({ kind: "paragraph", text: "Badge office hours are 9–5." });
  });

  it("reads Windows-1252 text", async () => {
    const doc = await parse(Buffer.from("Caf\u00e9 opening hours \u0096 weekdays.\n", "latin1"), "hours.txt");
    expect(canonicalText(doc)).toBe("Café opening hours – weekdays.");
  });
});

describe("CSV", () => {
  it("makes one self-describing record per row after the header row", async () => {
    const doc = await parse('Name,Role,Notes\nAda Lovelace,admin,"Has keys, badge"\nLin Wu,reader,\n', "staff.csv");
    expect(doc.format).toBe("csv");
    expect(doc.blocks).toEqual([
      { kind: "table", text: "Name | Role | Notes" },
      { kind: "record", text: "Name: Ada Lovelace; Role: admin; Notes: Has keys, badge" },
      { kind: "record", text: "Name: Lin Wu; Role: reader" },
    ]);
    expect(doc.warnings).toEqual([]);
  });

  it("warns about ragged rows instead of failing", async () => {
    const doc = await parse("a;b\n1;2\n3\n4;5;6\n", "data.csv");
    expect(doc.blocks.slice(1).map((b) => b.text)).toEqual(["a: 1; b: 2", "a: 3", "a: 4; b: 5; Column 3: 6"]);
    expect(doc.warnings).toEqual(["2 rows have a different number of fields than the header (row 3, 4)."]);
  });

  it("accepts a single-column CSV", async () => {
    const doc = await parse("Department\nCardiology\nRadiology\n", "departments.csv");
    expect(doc.blocks.map((b) => b.text)).toEqual(["Department", "Department: Cardiology", "Department: Radiology"]);
  });
});

describe("JSON (not OSCAL)", () => {
  it("flattens to path: value records under a heading per top-level key", async () => {
    const json = {
      title: "Retention",
      owner: { team: "Records", contact: { email: "rec@example.org" } },
      rules: [
        { kind: "email", years: 7 },
        { kind: "chat", years: 1, tags: ["a", "b"] },
      ],
      regions: ["EU", "US"],
    };
    const doc = await parse(JSON.stringify(json), "retention.json");
    expect(doc.title).toBe("Retention");
    expect(doc.blocks).toEqual([
      { kind: "heading", level: 1, text: "title" },
      { kind: "record", text: "title: Retention" },
      { kind: "heading", level: 1, text: "owner" },
      { kind: "record", text: "owner.team: Records\nowner.contact.email: rec@example.org" },
      { kind: "heading", level: 1, text: "rules" },
      { kind: "record", text: "rules[0].kind: email\nrules[0].years: 7" },
      { kind: "record", text: "rules[1].kind: chat\nrules[1].years: 1\nrules[1].tags: a, b" },
      { kind: "heading", level: 1, text: "regions" },
      { kind: "record", text: "regions: EU, US" },
    ]);
  });

  it("makes a record per element of a top-level array", async () => {
    const doc = await parse('[{"id": 1, "name": "x"}, {"id": 2, "name": "y"}]', "items.json");
    expect(doc.blocks.map((b) => b.text)).toEqual(["[0].id: 1\n[0].name: x", "[1].id: 2\n[1].name: y"]);
  });

  it("summarises absurd nesting instead of overflowing the stack", async () => {
    const deep = "[".repeat(5000) + "1" + "]".repeat(5000);
    const doc = await parse(`{"deep": ${deep}, "ok": true}`, "deep.json");
    expect(canonicalText(doc)).toContain("ok: true");
    expect(doc.warnings).toEqual(["Values nested deeper than 32 levels were left out."]);
  });
});

describe("Markdown details", () => {
  it("drops YAML front matter but takes its title, and renders tables and code", async () => {
    const md =
      '---\ntitle: "Visitor Policy"\nowner: facilities\n---\n\n## Badges\n\n| Who | Badge |\n|---|---|\n| Guest | Red |\n\n```\nbadge --issue\n```\n\n1. First\n2. Second\n';
    const doc = await parse(md, "visitors.md");
    expect(doc.title).toBe("Visitor Policy");
    expect(doc.blocks).toEqual([
      { kind: "heading", level: 2, text: "Badges" },
      { kind: "table", text: "Who | Badge\nGuest | Red" },
      { kind: "code", text: "badge --issue" },
      { kind: "list", text: "1. First\n2. Second" },
    ]);
  });
});

describe("HTML details", () => {
  it("renders lists, definition lists, tables with headers first, and line breaks", async () => {
    const html = `<!doctype html><html><head><title> Leave &amp; Absence </title></head><body>
      <nav hidden>Menu</nav><h2>Types</h2>
      <ol start="3"><li>Annual<ul><li>Full-time</li></ul></li><li>Sick</li></ol>
      <dl><dt>PTO</dt><dd>Paid time off</dd></dl>
      <table><tbody><tr><td>Ada</td><td>5</td></tr></tbody><thead><tr><th>Name</th><th>Days</th></tr></thead></table>
      <p>Line one<br>line&nbsp;two</p></body></html>`;
    const doc = await parse(html, "leave.html");
    expect(doc.title).toBe("Leave & Absence");
    expect(doc.blocks).toEqual([
      { kind: "heading", level: 2, text: "Types" },
      { kind: "list", text: "3. Annual\n  - Full-time\n4. Sick" },
      { kind: "list", text: "PTO: Paid time off" },
      { kind: "table", text: "Name | Days\nAda | 5" },
      { kind: "paragraph", text: "Line one\nline two" },
    ]);
  });
});
