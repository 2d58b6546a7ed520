import "server-only";
import { createHash } from "node:crypto";
import { BackupError } from "./errors";

// The inner layer, inside the encryption: a sequence of named entries, each streamed as data
// records so that neither side needs an entry's size in advance. Record: type byte, u32 length,
// payload. "E" opens an entry (payload: JSON { name }), "D" carries its bytes, "Z" closes it.

const ENTRY = 0x45;
const DATA = 0x44;
const END = 0x5a;
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const DATA_RECORD_BYTES = 1 << 20;

export interface EntryDigest {
  name: string;
  bytes: number;
  sha256: string;
}

function record(type: number, payload: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt32BE(payload.byteLength, 1);
  return Buffer.concat([head, payload]);
}

/** Writes entries into a plain byte sink (the sealer), hashing each one for the manifest. */
export class EntryWriter {
  readonly written: EntryDigest[] = [];

  constructor(private readonly out: (bytes: Uint8Array) => Promise<void>) {}

  async entry(name: string, body: Uint8Array | AsyncIterable<Uint8Array>): Promise<EntryDigest> {
    await this.out(record(ENTRY, Buffer.from(JSON.stringify({ name }), "utf8")));
    const hash = createHash("sha256");
    let bytes = 0;
    const parts: AsyncIterable<Uint8Array> | Uint8Array[] = body instanceof Uint8Array ? [body] : body;
    for await (const part of parts) {
      for (let at = 0; at < part.byteLength; at += DATA_RECORD_BYTES) {
        const piece = part.subarray(at, Math.min(part.byteLength, at + DATA_RECORD_BYTES));
        hash.update(piece);
        bytes += piece.byteLength;
        await this.out(record(DATA, piece));
      }
    }
    await this.out(record(END, new Uint8Array(0)));
    const digest = { name, bytes, sha256: hash.digest("hex") };
    this.written.push(digest);
    return digest;
  }
}

export interface ArchiveEntry {
  name: string;
  /** The entry's bytes; read it to the end (or not at all) before asking for the next entry. */
  body: AsyncGenerator<Buffer>;
  /** Size and SHA-256 of what body yielded, once it has been read to the end. */
  digest(): EntryDigest;
}

/** Splits the plain stream back into entries, refusing anything that is not well formed. */
export async function* readEntries(plain: AsyncIterable<Buffer>): AsyncGenerator<ArchiveEntry> {
  const iterator = plain[Symbol.asyncIterator]();
  let buffer: Buffer = Buffer.alloc(0);
  let ended = false;
  async function readExact(n: number): Promise<Buffer | null> {
    while (buffer.length < n && !ended) {
      const next = await iterator.next();
      if (next.done) ended = true;
      else buffer = buffer.length === 0 ? next.value : Buffer.concat([buffer, next.value]);
    }
    if (buffer.length < n) {
      if (buffer.length === 0) return null;
      throw new BackupError("The archive's content ends in the middle of a record: it is incomplete.");
    }
    const piece = buffer.subarray(0, n);
    buffer = buffer.subarray(n);
    return piece;
  }
  async function readRecord(): Promise<{ type: number; payload: Buffer } | null> {
    const head = await readExact(5);
    if (!head) return null;
    const length = head.readUInt32BE(1);
    if (length > MAX_RECORD_BYTES)
      throw new BackupError("The archive's content is damaged (impossible record length).");
    const payload = length === 0 ? Buffer.alloc(0) : await readExact(length);
    if (!payload) throw new BackupError("The archive's content ends in the middle of a record: it is incomplete.");
    return { type: head[0]!, payload };
  }

  for (;;) {
    const start = await readRecord();
    if (!start) return;
    if (start.type !== ENTRY) throw new BackupError("The archive's content is damaged (data outside an entry).");
    let name: string;
    try {
      name = String((JSON.parse(start.payload.toString("utf8")) as { name: unknown }).name);
    } catch (err) {
      throw new BackupError("The archive's content is damaged (an unreadable entry name).", { cause: err });
    }
    const hash = createHash("sha256");
    let bytes = 0;
    let done = false;
    const nextPiece = async (): Promise<Buffer | null> => {
      if (done) return null;
      const r = await readRecord();
      if (!r) throw new BackupError(`The archive ends inside the entry ${name}: it is incomplete.`);
      if (r.type === END) {
        done = true;
        return null;
      }
      if (r.type !== DATA) throw new BackupError(`The archive's content is damaged inside the entry ${name}.`);
      hash.update(r.payload);
      bytes += r.payload.length;
      return Buffer.from(r.payload);
    };
    const body = (async function* () {
      for (let piece = await nextPiece(); piece; piece = await nextPiece()) yield piece;
    })();
    let digest: EntryDigest | undefined;
    yield {
      name,
      body,
      digest: () => {
        if (!done) throw new Error(`The entry ${name} was not read to its end.`);
        digest ??= { name, bytes, sha256: hash.digest("hex") };
        return digest;
      },
    };
    // Whatever the consumer left unread is skipped, so the next entry starts where it should.
    while (await nextPiece());
  }
}

/** Collects a (small) entry's bytes. */
export async function readAll(body: AsyncIterable<Buffer>, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const p of body) {
    total += p.length;
    if (total > limit) throw new BackupError("An archive entry is larger than expected.");
    parts.push(p);
  }
  return Buffer.concat(parts);
}
