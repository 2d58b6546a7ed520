import "server-only";
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { Env } from "@/lib/env";
import type { GeneratorKind } from "./generator";
import { ModelFileError } from "./model-file";

// Which generator the configuration asks for, without loading anything: MODEL_PATH, else the
// first *.gguf (by name) in MODELS_DIR, else the extractive generator. The bill of materials and
// the admin overview describe the configured model before any question has loaded it.

export interface ConfiguredGenerator {
  kind: GeneratorKind;
  /** Absolute path of the GGUF; null for the extractive generator. */
  modelPath: string | null;
  source: "MODEL_PATH" | "MODELS_DIR" | null;
}

export async function configuredGenerator(e: Pick<Env, "MODEL_PATH" | "MODELS_DIR">): Promise<ConfiguredGenerator> {
  if (e.MODEL_PATH) return { kind: "llama", modelPath: path.resolve(e.MODEL_PATH), source: "MODEL_PATH" };
  if (!e.MODELS_DIR) return { kind: "extractive", modelPath: null, source: null };
  const dir = path.resolve(e.MODELS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(`MODELS_DIR ${dir} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? "unknown error"})`}.`, { cause: err });
  }
  const first = names.filter((n) => n.toLowerCase().endsWith(".gguf")).sort()[0];
  return first ? { kind: "llama", modelPath: path.join(dir, first), source: "MODELS_DIR" } : { kind: "extractive", modelPath: null, source: null };
}
