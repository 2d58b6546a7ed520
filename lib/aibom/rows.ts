import { PROP, propertyOf, type CdxBom, type CdxComponent } from "./cyclonedx";

// The bill of materials flattened for the admin page's tables. Pure: no server access.

export type DependencyScope = "required" | "optional" | "dev";

export interface DependencyRow {
  ref: string;
  name: string;
  version: string;
  scope: DependencyScope;
  license: string;
  installed: boolean;
  /** "SHA-512:<hex>" from the lockfile's integrity, when it has one. */
  hash: string | null;
  purl: string;
}

export function dependencyRows(bom: CdxBom): DependencyRow[] {
  return bom.components
    .filter((c) => propertyOf(c, PROP.npmPath) !== undefined)
    .map((c) => ({
      ref: c["bom-ref"],
      name: c.name,
      version: c.version ?? "",
      scope: propertyOf(c, PROP.npmDevelopment) === "true" ? "dev" : c.scope === "optional" ? "optional" : "required",
      license: licenseText(c),
      installed: propertyOf(c, PROP.installed) === "true",
      hash: c.hashes?.[0] ? `${c.hashes[0].alg}:${c.hashes[0].content}` : null,
      purl: c.purl ?? "",
    }));
}

function licenseText(c: CdxComponent): string {
  const l = c.licenses?.[0];
  if (!l) return "";
  return "expression" in l ? l.expression : l.license.name;
}

export interface ModelRow {
  ref: string;
  role: string;
  name: string;
  version: string | null;
  sha256: string | null;
  otherHashes: string[];
  bytes: number | null;
  facts: { label: string; value: string }[];
  files: { name: string; sha256: string | null; bytes: number | null }[];
}

const FACTS: [string, string][] = [
  [PROP.ggufArchitecture, "Architecture"],
  [PROP.ggufQuantization, "Quantization"],
  [PROP.ggufContextLength, "Trained context (tokens)"],
  [PROP.ggufParameterCount, "Parameters"],
  [PROP.ggufSizeLabel, "Size label"],
  [PROP.embedderId, "Embedder id"],
  [PROP.embedderDimension, "Dimensions"],
];

export function modelRows(bom: CdxBom): ModelRow[] {
  return bom.components
    .filter((c) => c.type === "machine-learning-model")
    .map((c) => {
      const sha256 = c.hashes?.find((h) => h.alg === "SHA-256")?.content ?? null;
      const bytes = propertyOf(c, PROP.fileBytes);
      return {
        ref: c["bom-ref"],
        role: propertyOf(c, PROP.modelRole) ?? "model",
        name: c.name,
        version: c.version ?? null,
        sha256,
        otherHashes: (c.hashes ?? []).filter((h) => h.alg !== "SHA-256").map((h) => `${h.alg}:${h.content}`),
        bytes: bytes ? Number(bytes) : null,
        facts: FACTS.flatMap(([name, label]) => {
          const value = propertyOf(c, name);
          return value === undefined ? [] : [{ label, value }];
        }),
        files: (c.components ?? []).map((f) => {
          const fileBytes = propertyOf(f, PROP.fileBytes);
          return {
            name: f.name,
            sha256: f.hashes?.find((h) => h.alg === "SHA-256")?.content ?? null,
            bytes: fileBytes ? Number(fileBytes) : null,
          };
        }),
      };
    });
}
