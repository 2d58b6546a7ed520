// Decides a file's format from its bytes; the filename only breaks ties between text formats.
// The name is never used as a path: uploads can be called anything, including "../../etc/passwd".

import { fileTypeFromBuffer, type FileTypeResult } from "file-type";
import { ParseError, type DocumentFormat, type ImageFormat } from "@/lib/documents/parsed";
import { extensionOf, sniffTextFormat } from "./sniff";
import { decodeText, isBlankBytes } from "./text-utils";
import { listZipEntries } from "./zip";

export const SUPPORTED_TYPES_TEXT =
  "supported types are PDF, DOCX, HTML, Markdown, plain text, CSV, JSON, and PNG, JPEG or TIFF images";
export const EMPTY_MESSAGE = "The file is empty.";
export const ENCRYPTED_DOCUMENT_MESSAGE = "The document is password-protected; upload an unprotected copy.";

const DESCRIPTIONS: Record<string, string> = {
  zip: "ZIP archive",
  xlsx: "Excel spreadsheet (XLSX)",
  pptx: "PowerPoint presentation (PPTX)",
  cfb: "legacy Microsoft Office (DOC, XLS or PPT)",
  rtf: "RTF",
  epub: "EPUB e-book",
  odt: "OpenDocument text (ODT)",
  ods: "OpenDocument spreadsheet (ODS)",
  odp: "OpenDocument presentation (ODP)",
  png: "PNG image",
  jpg: "JPEG image",
  gif: "GIF image",
  webp: "WebP image",
  tif: "TIFF image",
  bmp: "BMP image",
  gz: "gzip archive",
  "7z": "7-Zip archive",
  rar: "RAR archive",
  tar: "TAR archive",
  exe: "Windows executable",
  elf: "ELF executable",
};

// Spelled-out letter names that start with a vowel sound: "an MP3", "an RTF", "an ELF".
const VOWEL_SOUND_LETTERS = new Set("AEFHILMNORSX");

function withArticle(what: string): string {
  const first = what[0] ?? "";
  const isAcronym = /^[A-Z0-9]{2,}\b/.test(what);
  const an = isAcronym ? VOWEL_SOUND_LETTERS.has(first) : /^[aeiou]/i.test(what);
  return `${an ? "an" : "a"} ${what}`;
}

/** Only the last path segment is echoed back, so a hostile name cannot smuggle a path into messages. */
export function displayName(filename: string): string {
  const base = (filename.split(/[\\/]/).pop() ?? "").trim();
  return base ? `"${base}"` : "The file";
}

export function unsupportedType(filename: string, what: string): ParseError {
  return new ParseError(
    "unsupported_type",
    `${displayName(filename)} is ${withArticle(what)} file; ${SUPPORTED_TYPES_TEXT}.`,
  );
}

function describe(type: FileTypeResult | undefined): string {
  if (!type) return "binary";
  return DESCRIPTIONS[type.ext] ?? type.ext.toUpperCase();
}

function isZip(bytes: Uint8Array): boolean {
  return (
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    (bytes[2] === 0x03 || bytes[2] === 0x05) &&
    (bytes[3] === 0x04 || bytes[3] === 0x06)
  );
}

/** Pictures of text, read with OCR; file-type's names for them. */
const IMAGE_TYPES: Partial<Record<string, ImageFormat>> = { png: "png", jpg: "jpeg", tif: "tiff" };

const ZIP_TYPE: FileTypeResult = { ext: "zip", mime: "application/zip" };

async function detectZip(
  bytes: Uint8Array,
  filename: string,
  type: FileTypeResult | undefined,
): Promise<DocumentFormat> {
  let names: string[];
  try {
    names = (await listZipEntries(bytes)).map((e) => e.name);
  } catch (err) {
    if (err instanceof ParseError) throw err;
    // A damaged archive named .docx goes to the DOCX parser, which reports it as damaged.
    if (type?.ext === "docx" || extensionOf(filename) === "docx") return "docx";
    throw unsupportedType(filename, describe(type ?? ZIP_TYPE));
  }
  if (names.includes("word/document.xml")) return "docx";
  // file-type may call any Office-looking zip "docx"; without the main part it is just an archive.
  throw unsupportedType(filename, describe(type && type.ext !== "docx" ? type : ZIP_TYPE));
}

// A password-protected DOCX/XLSX is not a zip but an OLE container holding an "EncryptedPackage"
// stream; without this check it would be misreported as a legacy Office file.
const ENCRYPTED_PACKAGE = Buffer.from("EncryptedPackage", "utf16le");

function isEncryptedOfficeFile(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(ENCRYPTED_PACKAGE);
}

export async function detectFormat(bytes: Uint8Array, filename: string): Promise<DocumentFormat> {
  if (isBlankBytes(bytes)) throw new ParseError("empty", EMPTY_MESSAGE);
  const type = await fileTypeFromBuffer(bytes);
  if (isZip(bytes)) return detectZip(bytes, filename, type);
  if (type?.ext === "pdf") return "pdf";
  const image = type ? IMAGE_TYPES[type.ext] : undefined;
  if (image) return image;
  if (type?.ext === "cfb" && isEncryptedOfficeFile(bytes)) {
    throw new ParseError("encrypted", ENCRYPTED_DOCUMENT_MESSAGE);
  }
  const text = decodeText(bytes);
  if (text === null) throw unsupportedType(filename, describe(type));
  if (text.trim().length === 0) throw new ParseError("empty", EMPTY_MESSAGE);
  // Text that file-type still recognises by a strong signature is a format we do not read.
  if (type?.ext === "rtf") throw unsupportedType(filename, describe(type));
  return sniffTextFormat(text, filename);
}
