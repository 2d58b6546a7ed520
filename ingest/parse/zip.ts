// ZIP inspection for DOCX: list entry names for detection, and refuse archives that would exhaust
// memory or disk (zip bombs) or that carry path-traversal names, before any library unpacks them.

import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as yauzl from "yauzl";
import type { Entry, ZipFile } from "yauzl";
import { ParseError } from "@/lib/documents/parsed";

const MiB = 1024 * 1024;
export const MAX_ZIP_ENTRIES = 10_000;
/** Ratios this high are normal for tiny XML parts; they only matter once an entry is big. */
const MAX_RATIO = 200;
const RATIO_CHECK_FROM_BYTES = 10 * MiB;

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

function openZip(bytes: Uint8Array): Promise<ZipFile> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Promise((resolve, reject) => {
    // decodeStrings: false so that unsafe names reach our checks (and our message) instead of
    // aborting inside yauzl with a generic error.
    yauzl.fromBuffer(buffer, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    );
  });
}

/** Walks the central directory; `onEntry` may return a promise (e.g. to read the entry) before the next one. */
async function walkEntries(zip: ZipFile, onEntry: (entry: Entry, name: string) => Promise<void> | void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", () => resolve());
    zip.on("entry", (entry: Entry) => {
      const name = Buffer.isBuffer(entry.fileName) ? entry.fileName.toString("utf8") : entry.fileName;
      Promise.resolve()
        .then(() => onEntry(entry, name))
        .then(() => zip.readEntry(), reject);
    });
    zip.readEntry();
  }).finally(() => zip.close());
}

/** Entry names and declared sizes, read from the central directory only (nothing is inflated). */
export async function listZipEntries(bytes: Uint8Array): Promise<ZipEntryInfo[]> {
  const zip = await openZip(bytes);
  const entries: ZipEntryInfo[] = [];
  if (zip.entryCount > MAX_ZIP_ENTRIES) {
    zip.close();
    throw tooManyEntries(zip.entryCount);
  }
  await walkEntries(zip, (entry, name) => {
    entries.push({ name, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize });
  });
  return entries;
}

function tooManyEntries(count: number): ParseError {
  return new ParseError(
    "unsafe_archive",
    `The archive has ${count} entries (the limit is ${MAX_ZIP_ENTRIES}); refusing to open it.`,
  );
}

function isUnsafeName(name: string): boolean {
  return name.startsWith("/") || name.startsWith("\\") || /^[a-zA-Z]:/.test(name) || name.split(/[\\/]/).includes("..");
}

function formatMiB(bytes: number): string {
  return `${Math.round(bytes / MiB)} MiB`;
}

/**
 * Refuses unsafe archives, then inflates every entry once into a byte counter so that sizes that
 * lie in the headers are caught too (yauzl's validateEntrySizes aborts a stream that overruns).
 * The caller maps the remaining yauzl errors (damaged archive) to its own "corrupt" message.
 */
export async function assertSafeArchive(bytes: Uint8Array, maxDecompressedBytes: number): Promise<void> {
  const zip = await openZip(bytes);
  if (zip.entryCount > MAX_ZIP_ENTRIES) {
    zip.close();
    throw tooManyEntries(zip.entryCount);
  }
  let total = 0;
  await walkEntries(zip, async (entry, name) => {
    if (isUnsafeName(name)) {
      throw new ParseError(
        "unsafe_archive",
        `The archive contains an entry with an unsafe path ("${name}"); refusing to open it.`,
      );
    }
    total += entry.uncompressedSize;
    if (total > maxDecompressedBytes) {
      throw new ParseError(
        "unsafe_archive",
        `The archive would expand to more than ${formatMiB(maxDecompressedBytes)}; refusing to open it (possible zip bomb).`,
      );
    }
    const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
    if (entry.uncompressedSize > RATIO_CHECK_FROM_BYTES && ratio > MAX_RATIO) {
      throw new ParseError(
        "unsafe_archive",
        `The archive entry "${name}" expands ${Math.round(ratio)} times (to ${formatMiB(entry.uncompressedSize)}); refusing to open it (possible zip bomb).`,
      );
    }
    if (entry.isEncrypted()) {
      throw new ParseError("encrypted", "The archive's entries are password-protected; upload an unprotected copy.");
    }
    if (name.endsWith("/")) return;
    await drainEntry(zip, entry, name);
  });
}

async function drainEntry(zip: ZipFile, entry: Entry, name: string): Promise<void> {
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
    zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
  );
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  try {
    await pipeline(stream, sink);
  } catch (err) {
    if (err instanceof Error && /too many bytes in the stream/.test(err.message)) {
      throw new ParseError(
        "unsafe_archive",
        `The archive entry "${name}" is larger than its header declares; refusing to open it (possible zip bomb).`,
        { cause: err },
      );
    }
    throw err;
  }
}
