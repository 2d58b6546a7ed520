import "server-only";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { PackageURL } from "packageurl-js";
import { z } from "zod";
import {
  PROP,
  type CdxComponent,
  type CdxHash,
  type CdxLicense,
  type CdxProperty,
  type CdxScope,
  type HashAlgorithm,
} from "./cyclonedx";

// Every package in package-lock.json as a CycloneDX component: name, version, purl, the lockfile's
// integrity hash, scope (required, optional, or excluded for development-only packages) and
// whether it is installed here. The lockfile also lists other platforms' optional binaries;
// those are kept (they are part of what the project may install) and marked as not installed.

const entrySchema = z.object({
  name: z.string().optional(),
  version: z.string().optional(),
  integrity: z.string().optional(),
  license: z.string().optional(),
  dev: z.boolean().optional(),
  optional: z.boolean().optional(),
  devOptional: z.boolean().optional(),
  link: z.boolean().optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
});

const lockfileSchema = z.object({
  lockfileVersion: z.union([z.literal(2), z.literal(3)]),
  packages: z.record(z.string(), entrySchema),
});

export type LockfileEntry = z.infer<typeof entrySchema>;

export interface LockedPackage {
  /** Path in the lockfile, e.g. node_modules/@scope/name or node_modules/a/node_modules/b. */
  lockPath: string;
  name: string;
  version: string;
  entry: LockfileEntry;
  installedVersion: string | null;
}

export interface Lockfile {
  root: LockfileEntry;
  packages: LockedPackage[];
}

export class LockfileError extends Error {}

/** Reads and checks `package-lock.json` in `root`, and looks up what is installed under root/node_modules. */
export async function readLockfile(root: string): Promise<Lockfile> {
  const file = path.join(root, "package-lock.json");
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LockfileError(
      code === "ENOENT" ? `${file} does not exist.` : `${file} cannot be read as JSON: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const parsed = lockfileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LockfileError(
      `${file} is not an npm lockfile (version 2 or 3): ${issue.path.join(".") || "(top level)"}: ${issue.message}`,
    );
  }
  const { "": rootEntry, ...rest } = parsed.data.packages;
  const packages = await Promise.all(
    Object.entries(rest)
      .filter(([lockPath, entry]) => lockPath.includes("node_modules/") && !entry.link && entry.version)
      .map(async ([lockPath, entry]) => ({
        lockPath,
        name: entry.name ?? packageNameFromPath(lockPath),
        version: entry.version!,
        entry,
        installedVersion: await installedVersion(root, lockPath),
      })),
  );
  packages.sort((a, b) => a.lockPath.localeCompare(b.lockPath));
  return { root: rootEntry ?? {}, packages };
}

/** node_modules/a/node_modules/@s/b → @s/b */
export function packageNameFromPath(lockPath: string): string {
  const i = lockPath.lastIndexOf("node_modules/");
  return lockPath.slice(i + "node_modules/".length);
}

async function installedVersion(root: string, lockPath: string): Promise<string | null> {
  try {
    const pkg = JSON.parse(await readFile(path.join(root, lockPath, "package.json"), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith("@") ? name.indexOf("/") : -1;
  const namespace = slash > 0 ? name.slice(0, slash) : undefined;
  const bare = slash > 0 ? name.slice(slash + 1) : name;
  return new PackageURL("npm", namespace, bare, version, undefined, undefined).toString();
}

const SRI_ALGORITHMS: Record<string, HashAlgorithm> = {
  sha1: "SHA-1",
  sha256: "SHA-256",
  sha384: "SHA-384",
  sha512: "SHA-512",
};

/** Subresource-integrity strings ("sha512-<base64> sha1-<base64>") as CycloneDX hex hashes. */
export function integrityHashes(integrity: string | undefined): CdxHash[] {
  if (!integrity) return [];
  const out: CdxHash[] = [];
  for (const part of integrity.trim().split(/\s+/)) {
    const m = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(part);
    if (!m) continue;
    out.push({ alg: SRI_ALGORITHMS[m[1]!]!, content: Buffer.from(m[2]!, "base64").toString("hex") });
  }
  return out;
}

const SPDX_TOKEN = /^(\(*[A-Za-z0-9.+-]+\)*|AND|OR|WITH)$/;

/** A declared license: an SPDX expression where it reads as one, else its text as a name. */
export function licenseOf(value: string | undefined): CdxLicense[] | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const tokens = text.split(/\s+/);
  return tokens.every((t) => SPDX_TOKEN.test(t)) ? [{ expression: text }] : [{ license: { name: text } }];
}

export function scopeOf(entry: LockfileEntry): { scope: CdxScope; development: boolean } {
  const development = Boolean(entry.dev || entry.devOptional);
  if (development) return { scope: "excluded", development };
  return { scope: entry.optional ? "optional" : "required", development };
}

/** The lockfile path is unique; name@version is not (several copies may be nested). */
export function npmBomRef(lockPath: string): string {
  return `npm:${lockPath}`;
}

export function packageComponent(p: LockedPackage): CdxComponent {
  const { scope, development } = scopeOf(p.entry);
  const properties: CdxProperty[] = [
    { name: PROP.npmPath, value: p.lockPath },
    { name: PROP.installed, value: String(p.installedVersion !== null) },
  ];
  if (development) properties.push({ name: PROP.npmDevelopment, value: "true" });
  if (p.installedVersion !== null && p.installedVersion !== p.version)
    properties.push({ name: PROP.installedVersion, value: p.installedVersion });
  const hashes = integrityHashes(p.entry.integrity);
  const licenses = licenseOf(p.entry.license);
  return {
    type: "library",
    "bom-ref": npmBomRef(p.lockPath),
    name: p.name,
    version: p.version,
    scope,
    ...(hashes.length > 0 ? { hashes } : {}),
    ...(licenses ? { licenses } : {}),
    purl: npmPurl(p.name, p.version),
    properties,
  };
}
