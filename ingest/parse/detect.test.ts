import { describe, expect, it } from "vitest";
import { makePdf, textPage } from "../fixtures/make-pdf";
import { makeZip, minimalDocxEntries } from "../fixtures/make-zip";
import { detectFormat } from "./detect";
import { readRegdoc, REAL_DOCS } from "./test-helpers";

const utf8 = (text: string) => new TextEncoder().encode(text);

describe("detectFormat", () => {
  it("detects the real documents by content", async () => {
    expect(await detectFormat(await readRegdoc(REAL_DOCS.pdf), "booklet.pdf")).toBe("pdf");
    expect(await detectFormat(await readRegdoc(REAL_DOCS.docx), "overview.docx")).toBe("docx");
    // Starts with an XML prolog, then <html>.
    expect(await detectFormat(await readRegdoc(REAL_DOCS.html), "registry.html")).toBe("html");
    expect(await detectFormat(await readRegdoc(REAL_DOCS.markdown), "policy.md")).toBe("markdown");
    expect(await detectFormat(await readRegdoc(REAL_DOCS.oscal), "catalog.json")).toBe("json");
  });

  it("trusts content over a misleading extension", async () => {
    expect(await detectFormat(utf8("<!DOCTYPE html><html><body><p>Hi</p></body></html>"), "report.pdf")).toBe("html");
    expect(await detectFormat(makePdf([textPage(["Hello"])]), "notes.txt")).toBe("pdf");
    expect(await detectFormat(makeZip(minimalDocxEntries("<w:p/>")), "upload.bin")).toBe("docx");
    expect(await detectFormat(utf8('{"a": [1, 2]}'), "data.txt")).toBe("json");
    expect(await detectFormat(await readRegdoc(REAL_DOCS.pdf), "booklet.docx")).toBe("pdf");
  });

  it("sniffs text formats without a helpful extension", async () => {
    expect(await detectFormat(utf8("name,role,team\nAda,admin,core\nLin,reader,ops\n"), "export")).toBe("csv");
    expect(await detectFormat(utf8("id\tvalue\n1\tx\n2\ty\n"), "export.txt")).toBe("csv");
    expect(await detectFormat(utf8("# Title\n\nSome text.\n"), "README")).toBe("markdown");
    expect(await detectFormat(utf8("<div><p>One</p><p>Two</p></div>"), "fragment")).toBe("html");
    expect(
      await detectFormat(utf8("Dear team,\n\nThe office closes at noon, Friday.\n\nThanks, Facilities\n"), "memo"),
    ).toBe("text");
  });

  it("uses the extension to break ties between text formats", async () => {
    expect(await detectFormat(utf8("Just a line of notes."), "notes.md")).toBe("markdown");
    expect(await detectFormat(utf8("single column\nvalue one\nvalue two\n"), "list.csv")).toBe("csv");
    // Broken JSON named .json goes to the JSON parser, which reports where it breaks.
    expect(await detectFormat(utf8('{"a": '), "broken.json")).toBe("json");
    expect(await detectFormat(utf8('{"a": '), "broken.txt")).toBe("text");
  });

  it("decodes UTF-16 (with BOM) and Windows-1252 text instead of calling it binary", async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("# Policy\n\nCafé rules.\n", "utf16le")]);
    expect(await detectFormat(new Uint8Array(utf16), "policy.md")).toBe("markdown");
    const cp1252 = Buffer.from("R\u00e9sum\u00e9 of the caf\u00e9 policy.\n", "latin1");
    expect(await detectFormat(new Uint8Array(cp1252), "notes.txt")).toBe("text");
  });
});
