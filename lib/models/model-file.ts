import "server-only";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, constants, realpath, stat } from "node:fs/promises";
import path from "node:path";

// Identity of a model file on disk: what answers and vectors record so that an auditor can tell
// exactly which weights produced them. Hashing a multi-gigabyte GGUF takes seconds, so the digest
// is computed once per process per (file, size, mtime) and streamed, never read into memory.

export interface ModelFileInfo {
  path: string;
  fileName: string;
  bytes: number;
  sha256: string;
}

export class ModelFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ModelFileError";
  }
}

const HASHES = Symbol.for("knowledge-qa.model-file-hashes");
type Holder = { [HASHES]?: Map<string, Promise<string>> };

function hashCache(): Map<string, Promise<string>> {
  const holder = globalThis as Holder;
  holder[HASHES] ??= new Map();
  return holder[HASHES];
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file, { highWaterMark: 1 << 20 })
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** Resolves, checks and hashes a model file; every failure names the path it was given. */
export async function describeModelFile(filePath: string): Promise<ModelFileInfo> {
  const resolved = path.resolve(filePath);
  let real: string;
  let size: number;
  let mtimeMs: number;
  try {
    real = await realpath(resolved);
    const info = await stat(real);
    if (!info.isFile()) throw new ModelFileError(`The model path ${resolved} is not a file.`);
    await access(real, constants.R_OK);
    size = info.size;
    mtimeMs = info.mtimeMs;
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "unknown error";
    const reason =
      code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : `cannot be read (${code})`;
    throw new ModelFileError(`The model file ${resolved} ${reason}.`, { cause: err });
  }

  const key = `${real}\0${size}\0${mtimeMs}`;
  const cache = hashCache();
  let digest = cache.get(key);
  if (!digest) {
    digest = sha256File(real);
    cache.set(key, digest);
    digest.catch(() => cache.delete(key));
  }
  try {
    return { path: real, fileName: path.basename(real), bytes: size, sha256: await digest };
  } catch (err) {
    throw new ModelFileError(`The model file ${resolved} could not be read to compute its checksum.`, { cause: err });
  }
}
