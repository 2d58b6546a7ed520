// DOCX → blocks: the archive is vetted first (zip bombs, traversal names), hidden runs are cut
// out (docx-hidden.ts), then mammoth turns the document into HTML, which goes through the same
// extractor as uploaded HTML.

import mammoth from "mammoth";
import { ParseError, type ParsedDocument } from "@/lib/documents/parsed";
import { damaged } from "./errors";
import { BlockSink, finishDocument } from "./blocks";
import { removeHiddenRuns } from "./docx-hidden";
import { htmlToBlocks } from "./html-blocks";
import { assertSafeArchive } from "./zip";

export async function parseDocx(bytes: Uint8Array, maxDecompressedBytes: number): Promise<ParsedDocument> {
  try {
    await assertSafeArchive(bytes, maxDecompressedBytes);
  } catch (err) {
    if (err instanceof ParseError) throw err;
    throw damaged("DOCX file", err);
  }

  const sink = new BlockSink();
  let html: string;
  try {
    // Hidden runs are cut from the XML first: mammoth would otherwise render them as text.
    const visible = await removeHiddenRuns(bytes, sink);
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(visible.buffer, visible.byteOffset, visible.byteLength) },
      {
        // Images carry no indexable text; skipping them avoids base64-encoding every picture.
        convertImage: mammoth.images.imgElement(async () => ({ src: "" })),
        externalFileAccess: false,
        // Word's "Title" style is the document's name; without this it would be a plain paragraph.
        styleMap: ["p[style-name='Title'] => h1:fresh"],
      },
    );
    html = result.value;
  } catch (err) {
    throw damaged("DOCX file", err);
  }

  htmlToBlocks(html, sink);
  return finishDocument("docx", sink, { title: sink.firstHeading() });
}
