import "server-only";
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from "node:crypto";
import { BackupError } from "./errors";

// The outer layer of a backup archive: AES-256-GCM in fixed-size chunks (the STREAM construction
// used by age and Tink), so an archive of any size is written and read with one chunk in memory.
// Each chunk's nonce carries its index and whether it is the last, and every chunk binds the
// plain header as associated data: reordering, dropping, appending or truncating chunks, or
// editing the header, all fail authentication. The content key is derived per archive (HKDF with
// a random salt) from the operator's backup key, which never leaves the key file.

export const ARCHIVE_MAGIC = Buffer.from("KQABAK01", "ascii");
export const CHUNK_BYTES = 1 << 20;
const TAG_BYTES = 16;
const PREFIX_BYTES = 7;
const MAX_HEADER_BYTES = 64 * 1024;

export interface ArchiveHeader {
  format: 1;
  cipher: "aes-256-gcm-stream";
  chunkBytes: number;
  archiveId: string;
  createdAt: string;
  salt: string;
  noncePrefix: string;
  /** HMAC of a fixed label under a key derived from the backup key: tells a wrong key from damage. */
  keyCheck: string;
}

function deriveKeys(backupKey: Buffer, salt: Buffer): { content: Buffer; check: Buffer } {
  const content = Buffer.from(hkdfSync("sha256", backupKey, salt, "knowledge-qa backup v1 content", 32));
  const check = Buffer.from(hkdfSync("sha256", backupKey, salt, "knowledge-qa backup v1 key check", 32));
  return { content, check };
}

function keyCheckOf(check: Buffer): string {
  return createHmac("sha256", check).update("knowledge-qa backup key check").digest("hex");
}

function nonce(prefix: Buffer, index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, PREFIX_BYTES);
  n[11] = last ? 1 : 0;
  return n;
}

/** Encrypts a stream of plain bytes into archive bytes, handing each sealed piece to `out`. */
export class ArchiveSealer {
  private readonly key: Buffer;
  private readonly prefix: Buffer;
  private readonly aad: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private started = false;
  readonly header: ArchiveHeader;

  constructor(
    backupKey: Buffer,
    private readonly out: (bytes: Uint8Array) => Promise<void>,
  ) {
    const salt = randomBytes(32);
    this.prefix = randomBytes(PREFIX_BYTES);
    const keys = deriveKeys(backupKey, salt);
    this.key = keys.content;
    this.header = {
      format: 1,
      cipher: "aes-256-gcm-stream",
      chunkBytes: CHUNK_BYTES,
      archiveId: randomUUID(),
      createdAt: new Date().toISOString(),
      salt: salt.toString("base64"),
      noncePrefix: this.prefix.toString("base64"),
      keyCheck: keyCheckOf(keys.check),
    };
    const json = Buffer.from(JSON.stringify(this.header), "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(json.length);
    this.aad = Buffer.concat([ARCHIVE_MAGIC, length, json]);
  }

  private seal(plain: Buffer, last: boolean): Buffer {
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce(this.prefix, this.index++, last));
    cipher.setAAD(this.aad);
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.started) {
      this.started = true;
      await this.out(this.aad);
    }
    this.pending.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.pendingBytes += bytes.byteLength;
    // Keep at least one byte back: only finish() knows which chunk is the last.
    while (this.pendingBytes > CHUNK_BYTES) {
      const all = Buffer.concat(this.pending);
      await this.out(this.seal(all.subarray(0, CHUNK_BYTES), false));
      const rest = Buffer.from(all.subarray(CHUNK_BYTES));
      this.pending = [rest];
      this.pendingBytes = rest.length;
    }
  }

  async finish(): Promise<void> {
    if (!this.started) await this.write(new Uint8Array(0));
    await this.out(this.seal(Buffer.concat(this.pending), true));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** Reads archive bytes, checks the key and every chunk, and yields the plain bytes in order. */
export async function* openArchive(
  source: AsyncIterable<Uint8Array>,
  backupKey: Buffer,
  onHeader?: (header: ArchiveHeader) => void,
): AsyncGenerator<Buffer> {
  let buffer: Buffer = Buffer.alloc(0);
  let offset = 0;
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  async function fill(atLeast: number): Promise<void> {
    while (!ended && buffer.length < atLeast) {
      const next = await iterator.next();
      if (next.done) ended = true;
      else buffer = buffer.length === 0 ? Buffer.from(next.value) : Buffer.concat([buffer, next.value]);
    }
  }
  function take(n: number): Buffer {
    const piece = buffer.subarray(0, n);
    buffer = buffer.subarray(n);
    offset += n;
    return piece;
  }

  await fill(ARCHIVE_MAGIC.length + 4);
  if (buffer.length < ARCHIVE_MAGIC.length || !buffer.subarray(0, ARCHIVE_MAGIC.length).equals(ARCHIVE_MAGIC))
    throw new BackupError(
      buffer.length === 0
        ? "The archive is empty."
        : "This is not a backup archive of this product (no KQABAK01 marker).",
    );
  if (buffer.length < ARCHIVE_MAGIC.length + 4) throw new BackupError("The archive is truncated inside its header.");
  const headerLength = buffer.readUInt32BE(ARCHIVE_MAGIC.length);
  if (headerLength > MAX_HEADER_BYTES) throw new BackupError("The archive header is damaged (impossible length).");
  await fill(ARCHIVE_MAGIC.length + 4 + headerLength);
  if (buffer.length < ARCHIVE_MAGIC.length + 4 + headerLength)
    throw new BackupError("The archive is truncated inside its header.");
  const aad = Buffer.from(take(ARCHIVE_MAGIC.length + 4 + headerLength));
  let header: ArchiveHeader;
  try {
    header = JSON.parse(aad.subarray(ARCHIVE_MAGIC.length + 4).toString("utf8")) as ArchiveHeader;
  } catch (err) {
    throw new BackupError("The archive header is damaged (not JSON).", { cause: err });
  }
  if (header.format !== 1 || header.cipher !== "aes-256-gcm-stream")
    throw new BackupError(`The archive uses format ${String(header.format)}, which this release cannot read.`);
  const chunkBytes = header.chunkBytes;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > 64 * CHUNK_BYTES)
    throw new BackupError("The archive header is damaged (impossible chunk size).");
  const keys = deriveKeys(backupKey, Buffer.from(header.salt, "base64"));
  const expected = Buffer.from(keyCheckOf(keys.check), "hex");
  const given = Buffer.from(String(header.keyCheck), "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new BackupError(
      "The backup key does not open this archive: it was made with a different key (or its header was altered).",
    );
  onHeader?.(header);
  const prefix = Buffer.from(header.noncePrefix, "base64");
  if (prefix.length !== PREFIX_BYTES) throw new BackupError("The archive header is damaged (bad nonce prefix).");

  const open = (sealed: Buffer, index: number, last: boolean): Buffer | null => {
    const decipher = createDecipheriv("aes-256-gcm", keys.content, nonce(prefix, index, last));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      return null;
    }
  };

  const sealedBytes = chunkBytes + TAG_BYTES;
  for (let index = 0; ; index++) {
    // One byte more than a full chunk means this chunk is not the last.
    await fill(sealedBytes + 1);
    const at = offset;
    if (buffer.length > sealedBytes) {
      const plain = open(take(sealedBytes), index, false);
      if (!plain)
        throw new BackupError(
          `Chunk ${index} (at byte ${at}) failed its integrity check: the archive was altered or damaged.`,
        );
      yield plain;
      continue;
    }
    if (buffer.length < TAG_BYTES)
      throw new BackupError(
        `The archive is truncated: it ends at byte ${at + buffer.length} without its final chunk (after ${index} chunk(s)).`,
      );
    const sealed = take(buffer.length);
    const plain = open(sealed, index, true);
    if (plain) {
      yield plain;
      return;
    }
    if (sealed.length === sealedBytes && open(sealed, index, false))
      throw new BackupError(
        `The archive is truncated: it ends at byte ${offset} after chunk ${index}, before its final chunk.`,
      );
    throw new BackupError(
      `The last chunk ${index} (at byte ${at}) failed its integrity check: the archive is truncated or was altered.`,
    );
  }
}
