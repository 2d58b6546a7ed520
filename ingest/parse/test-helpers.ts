// Shared by the parser and chunker tests: loading the real documents in ../shared/data/regdocs.

import "server-only";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ParsedDocument } from "@/lib/documents/parsed";
import { parseDocument } from "./index";

export const REGDOCS = path.resolve(process.cwd(), "../shared/data/regdocs");

export const REAL_DOCS = {
  pdf: "ffiec-it-handbook-pdf/ffiec_itbooklet_management.pdf",
  docx: "fedramp-gsa-pdf-html-docx/GSA_FedRAMP_OSCAL_Overview.docx",
  html: "fedramp-gsa-pdf-html-docx/FedRAMP_extensions.html",
  markdown: "datica-hipaa-policies-md/07-systems_access_policy.md",
  markdownWithHtml: "nist-sp800-63-3-md/sp800-63a__sec4_ial.md",
  oscal: "nist-800-53r5-oscal/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json",
} as const;

export async function readRegdoc(relative: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path.join(REGDOCS, relative)));
}

const cache = new Map<string, Promise<ParsedDocument>>();

/** Parses each real document once per test file; the PDFs take a second or two. */
export function parseRegdoc(relative: string): Promise<ParsedDocument> {
  let parsed = cache.get(relative);
  if (!parsed) {
    parsed = readRegdoc(relative).then((bytes) => parseDocument(bytes, { filename: path.basename(relative) }));
    cache.set(relative, parsed);
  }
  return parsed;
}
