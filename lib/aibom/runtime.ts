import "server-only";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { getLlamaRuntime } from "@/lib/models/llama-runtime";
import { PROP, type CdxComponent, type CdxProperty } from "./cyclonedx";

// The inference runtime: node-llama-cpp (an npm package, in the dependency list) and the
// llama.cpp build it ships, with where it runs. Which release and which GPU backend are only
// certain once the native runtime is loaded; it is loaded for this only when a GGUF model is
// configured (it will be loaded for answers anyway), never just to fill in a report.

export interface LlamaFacts {
  /** "cuda", "vulkan", "metal", or false on the CPU. */
  gpu: string | false;
  gpuDevices: string[];
  release: { repo: string; release: string };
  buildType: "localBuild" | "prebuilt";
}

export async function loadLlamaFacts(): Promise<LlamaFacts> {
  const llama = await getLlamaRuntime();
  return {
    gpu: llama.gpu,
    gpuDevices: await llama.getGpuDeviceNames(),
    release: llama.llamaCppRelease,
    buildType: llama.buildType,
  };
}

const shippedRelease = z.object({ tag: z.string().min(1), llamaCppGithubRepo: z.string().regex(/^[\w.-]+\/[\w.-]+$/) });

/** The llama.cpp release node-llama-cpp's package says it was built from. */
async function readShippedRelease(root: string): Promise<{ repo: string; release: string } | null> {
  const file = path.join(root, "node_modules", "node-llama-cpp", "llama", "llama.cpp.info.json");
  try {
    const info = shippedRelease.parse(JSON.parse(await readFile(file, "utf8")));
    return { repo: info.llamaCppGithubRepo, release: info.tag };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

export async function llamaCppComponent({
  root,
  facts,
  prebuiltBinaries,
}: {
  root: string;
  facts: LlamaFacts | null;
  /** Installed @node-llama-cpp/* packages, e.g. "@node-llama-cpp/linux-x64-cuda@3.22.1". */
  prebuiltBinaries: string[];
}): Promise<CdxComponent | null> {
  const release = facts?.release ?? (await readShippedRelease(root));
  if (!release) return null;
  const properties: CdxProperty[] = [
    { name: PROP.role, value: "inference-engine" },
    { name: PROP.runtimeLoaded, value: String(facts !== null) },
    { name: PROP.binaries, value: prebuiltBinaries.join(", ") || "none" },
  ];
  if (facts) {
    properties.push(
      { name: PROP.gpu, value: facts.gpu === false ? "cpu" : facts.gpu },
      { name: PROP.buildType, value: facts.buildType },
    );
    if (facts.gpuDevices.length > 0) properties.push({ name: PROP.gpuDevices, value: facts.gpuDevices.join(", ") });
  } else {
    properties.push({ name: PROP.gpu, value: "not loaded (no GGUF model is configured)" });
  }
  const [owner, repo] = release.repo.split("/");
  return {
    type: "library",
    "bom-ref": "runtime:llama.cpp",
    name: "llama.cpp",
    version: release.release,
    description: "Inference engine for GGUF models, as built into node-llama-cpp's native binaries",
    purl: `pkg:github/${owner!.toLowerCase()}/${repo!.toLowerCase()}@${encodeURIComponent(release.release)}`,
    externalReferences: [{ type: "vcs", url: `https://github.com/${release.repo}` }],
    properties,
  };
}

export function nodePlatformComponent(): CdxComponent {
  return {
    type: "platform",
    "bom-ref": "platform:nodejs",
    name: "Node.js",
    version: process.versions.node,
    properties: [
      { name: "kq:platform:os", value: `${process.platform}-${process.arch}` },
      { name: "kq:platform:v8", value: process.versions.v8 },
      { name: "kq:platform:openssl", value: process.versions.openssl ?? "unknown" },
    ],
  };
}
