import "server-only";
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { Env } from "@/lib/env";
import type { GeneratorKind } from "./generator";

// Which generator the configuration asks for, without loading anything: MODEL_SERVER_URL (a model
// server), else MODEL_PATH, else the first *.gguf (by name) in MODELS_DIR (default DATA_DIR/models;
// the embedding model's file is skipped), else the extractive generator. The runtime loads exactly this; the bill of materials
// and the admin overview describe it before any question has loaded it.

export class GeneratorConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GeneratorConfigError";
  }
}

export interface ConfiguredGenerator {
  kind: GeneratorKind;
  /** Absolute path of the GGUF; null for the extractive and openai generators. */
  modelPath: string | null;
  /** The model server's /v1 base and the model asked for (openai only). */
  server: { url: string; model: string | null; declaredSha256: string | null } | null;
  source: "MODEL_SERVER_URL" | "MODEL_PATH" | "MODELS_DIR" | null;
}

/** The first *.gguf in the folder by name, or null when the folder is missing or has none. */
export async function findModelInDir(dir: string, exclude: readonly string[] = []): Promise<string | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    throw new GeneratorConfigError(
      `MODELS_DIR: the folder ${dir} cannot be read (${code ?? (err as Error).message}).`,
      { cause: err },
    );
  }
  const skip = new Set(exclude.map((p) => path.resolve(p)));
  const found = names
    .filter((n) => n.toLowerCase().endsWith(".gguf") && !n.startsWith("."))
    .sort()
    .map((n) => path.join(dir, n))
    .find((p) => !skip.has(p));
  return found ?? null;
}

export async function configuredGenerator(
  e: Pick<Env, "MODEL_PATH" | "modelsDir" | "EMBEDDING_MODEL_PATH"> &
    Partial<Pick<Env, "MODEL_SERVER_URL" | "MODEL_SERVER_MODEL" | "MODEL_SERVER_SHA256">>,
): Promise<ConfiguredGenerator> {
  if (e.MODEL_SERVER_URL)
    return {
      kind: "openai",
      modelPath: null,
      server: {
        url: e.MODEL_SERVER_URL,
        model: e.MODEL_SERVER_MODEL ?? null,
        declaredSha256: e.MODEL_SERVER_SHA256 ?? null,
      },
      source: "MODEL_SERVER_URL",
    };
  if (e.MODEL_PATH) return { kind: "llama", modelPath: path.resolve(e.MODEL_PATH), server: null, source: "MODEL_PATH" };
  const found = await findModelInDir(e.modelsDir, e.EMBEDDING_MODEL_PATH ? [e.EMBEDDING_MODEL_PATH] : []);
  return found
    ? { kind: "llama", modelPath: found, server: null, source: "MODELS_DIR" }
    : { kind: "extractive", modelPath: null, server: null, source: null };
}
