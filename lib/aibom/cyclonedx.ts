// The part of CycloneDX 1.6 (JSON) this product writes. Types only, shared by the server that
// builds the document and the admin page that shows it.

export const CYCLONEDX_SPEC_VERSION = "1.6";
export const CYCLONEDX_MEDIA_TYPE = "application/vnd.cyclonedx+json; version=1.6";

export type HashAlgorithm = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";

export interface CdxHash {
  alg: HashAlgorithm;
  content: string;
}

export interface CdxProperty {
  name: string;
  value: string;
}

export type CdxLicense = { license: { name: string } } | { expression: string };

export interface CdxExternalReference {
  type: "vcs" | "website" | "distribution" | "documentation" | "other";
  url: string;
  comment?: string;
}

export type CdxScope = "required" | "optional" | "excluded";

export type CdxComponentType =
  "application" | "framework" | "library" | "machine-learning-model" | "platform" | "operating-system" | "file";

export interface CdxModelCard {
  modelParameters?: {
    task?: string;
    architectureFamily?: string;
    modelArchitecture?: string;
  };
}

export interface CdxComponent {
  type: CdxComponentType;
  "bom-ref": string;
  name: string;
  group?: string;
  version?: string;
  description?: string;
  scope?: CdxScope;
  hashes?: CdxHash[];
  licenses?: CdxLicense[];
  purl?: string;
  externalReferences?: CdxExternalReference[];
  properties?: CdxProperty[];
  components?: CdxComponent[];
  modelCard?: CdxModelCard;
}

export interface CdxDependency {
  ref: string;
  dependsOn?: string[];
}

export interface CdxBom {
  bomFormat: "CycloneDX";
  specVersion: typeof CYCLONEDX_SPEC_VERSION;
  serialNumber: string;
  version: number;
  metadata: {
    timestamp: string;
    tools: { components: CdxComponent[] };
    component: CdxComponent;
    properties?: CdxProperty[];
  };
  components: CdxComponent[];
  dependencies?: CdxDependency[];
}

/** Property names this product uses, so the page and the tests read the same ones. */
export const PROP = {
  role: "kq:role",
  modelRole: "kq:model:role",
  fileBytes: "kq:file:size-bytes",
  filePath: "kq:file:path",
  ggufArchitecture: "kq:gguf:architecture",
  ggufQuantization: "kq:gguf:quantization",
  ggufContextLength: "kq:gguf:context-length",
  ggufParameterCount: "kq:gguf:parameter-count",
  ggufName: "kq:gguf:name",
  ggufSizeLabel: "kq:gguf:size-label",
  embedderId: "kq:embedder:id",
  embedderDimension: "kq:embedder:dimension",
  generatorKind: "kq:generator:kind",
  generatorSource: "kq:generator:source",
  modelServer: "kq:model-server:url",
  modelServerReachable: "kq:model-server:reachable",
  modelServerError: "kq:model-server:error",
  modelSha256Source: "kq:model:sha256-source",
  modelContextLength: "kq:model:context-length",
  gpu: "kq:inference:gpu",
  gpuDevices: "kq:inference:gpu-devices",
  runtimeLoaded: "kq:inference:runtime-loaded",
  buildType: "kq:inference:build-type",
  binaries: "kq:inference:prebuilt-binaries",
  installed: "kq:npm:installed",
  installedVersion: "kq:npm:installed-version",
  // The names the official CycloneDX npm tool uses, so scanners read them as they expect.
  npmDevelopment: "cdx:npm:package:development",
  npmPath: "cdx:npm:package:path",
} as const;

export function propertyOf(component: Pick<CdxComponent, "properties">, name: string): string | undefined {
  return component.properties?.find((p) => p.name === name)?.value;
}
