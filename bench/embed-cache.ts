// A disk cache of embeddings for the benchmarks, keyed by the embedder id and the text's sha256,
// under .tmp/ (git-ignored). Embedding SciFact with USE-lite takes minutes on two cores; reruns
// read the vectors back in a second. Vectors are appended as they are computed, so an interrupted
// run keeps its progress. Only the benchmarks use it: the product never caches document vectors
// outside the chunk table.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Embedder } from "@/lib/models/embedder";

export const BENCH_CACHE_DIR = path.resolve(process.cwd(), ".tmp", "bench");

/** A folder name for an embedder id ("use-lite-512@energetic-ai-0.2.0" → safe characters only). */
export function embedderSlug(embedderId: string): string {
  return embedderId.replace(/[^A-Za-z0-9._-]+/g, "_");
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();
  private readonly keysFile: string;
  private readonly dataFile: string;

  constructor(private readonly embedder: Embedder) {
    const dir = path.join(BENCH_CACHE_DIR, embedderSlug(embedder.id));
    fs.mkdirSync(dir, { recursive: true });
    this.keysFile = path.join(dir, "embeddings.keys");
    this.dataFile = path.join(dir, "embeddings.f32");
    this.load();
  }

  private load(): void {
    if (!fs.existsSync(this.keysFile) || !fs.existsSync(this.dataFile)) return;
    const keys = fs.readFileSync(this.keysFile, "utf8").split("\n").filter(Boolean);
    const bytes = fs.readFileSync(this.dataFile);
    const dim = this.embedder.dim;
    // A run killed between the two appends leaves one file longer than the other: keep the common part.
    const n = Math.min(keys.length, Math.floor(bytes.byteLength / (4 * dim)));
    const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + n * dim * 4));
    for (let i = 0; i < n; i++) this.vectors.set(keys[i]!, all.subarray(i * dim, (i + 1) * dim));
    if (n < keys.length || n * dim * 4 < bytes.byteLength) {
      fs.writeFileSync(
        this.keysFile,
        keys
          .slice(0, n)
          .map((k) => `${k}\n`)
          .join(""),
      );
      fs.writeFileSync(this.dataFile, bytes.subarray(0, n * dim * 4));
    }
  }

  /** Vectors for `texts` in order, embedding (and caching) only those not seen before. */
  async embed(texts: string[], onProgress?: (done: number, todo: number) => void): Promise<Float32Array[]> {
    const keys = texts.map(sha256);
    const missing = [
      ...new Set(
        keys
          .map((k, i) => (this.vectors.has(k) ? -1 : i))
          .filter((i) => i >= 0)
          .map((i) => keys[i]!),
      ),
    ];
    const textOf = new Map(keys.map((k, i) => [k, texts[i]!]));
    const batch = 64;
    for (let start = 0; start < missing.length; start += batch) {
      const part = missing.slice(start, start + batch);
      const vectors = await this.embedder.embed(part.map((k) => textOf.get(k)!));
      const flat = new Float32Array(vectors.length * this.embedder.dim);
      vectors.forEach((v, i) => flat.set(v, i * this.embedder.dim));
      fs.appendFileSync(this.dataFile, Buffer.from(flat.buffer));
      fs.appendFileSync(this.keysFile, part.map((k) => `${k}\n`).join(""));
      part.forEach((k, i) => this.vectors.set(k, vectors[i]!));
      onProgress?.(Math.min(start + batch, missing.length), missing.length);
    }
    return keys.map((k) => this.vectors.get(k)!);
  }
}
