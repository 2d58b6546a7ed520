// The release check's inspections of the unpacked folder, outside the network namespace: one
// folder in the tarball, checksums that cover every file, a bill of materials that lists exactly
// what is installed, an old Node.js refused, and --help of every CLI command.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fail } from "../../e2e/support/offline-flow";
import { launcher, launcherAsync } from "./launcher";

export function unpack(tarball: string): string {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), "kq-release-"));
  const r = spawnSync("tar", ["-xzf", tarball, "-C", target], { encoding: "utf8" });
  if (r.status !== 0) fail(`tar -xzf ${tarball} failed: ${r.stderr.trim()}`);
  const [folder, ...others] = fs.readdirSync(target);
  if (!folder || others.length > 0)
    fail(`The tarball must hold one folder, but holds: ${fs.readdirSync(target).join(", ")}.`);
  return path.join(target, folder);
}

export function checkSums(release: string): void {
  const r = spawnSync("sha256sum", ["--check", "--quiet", "--strict", "SHA256SUMS"], {
    cwd: release,
    encoding: "utf8",
  });
  if (r.status !== 0) fail(`SHA256SUMS does not match the unpacked files:\n${r.stdout}${r.stderr}`);
  const listed = new Set(
    fs
      .readFileSync(path.join(release, "SHA256SUMS"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.slice(66)),
  );
  const unlisted = listFiles(release).filter((f) => f !== "SHA256SUMS" && !listed.has(f));
  if (unlisted.length > 0)
    fail(`Files in the release that SHA256SUMS does not cover: ${unlisted.slice(0, 10).join(", ")}.`);
}

function listFiles(folder: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(folder, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(folder, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/** Every installed package folder: node_modules/<name>, node_modules/@scope/<name>, and nested ones. */
function installedPackages(folder: string, prefix = "node_modules"): string[] {
  const dir = path.join(folder, prefix);
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const visit = (rel: string) => {
    if (!fs.existsSync(path.join(folder, rel, "package.json"))) return;
    out.push(rel);
    out.push(...installedPackages(folder, path.join(rel, "node_modules")));
  };
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(".")) continue;
    if (name.startsWith("@")) for (const m of fs.readdirSync(path.join(dir, name))) visit(path.join(prefix, name, m));
    else visit(path.join(prefix, name));
  }
  return out;
}

/** Development tools that must not be in a release (the CLI and the parser are compiled). */
const DEVELOPMENT_ONLY = ["tsx", "esbuild", "typescript", "vitest", "eslint", "@playwright/test", "drizzle-kit"];

export function checkBillOfMaterials(release: string): number {
  const bom = JSON.parse(fs.readFileSync(path.join(release, "sbom.cdx.json"), "utf8")) as {
    specVersion: string;
    metadata: { component: { name: string; version: string } };
    components: { name: string; group?: string; version: string; properties?: { name: string; value: string }[] }[];
  };
  const pkg = JSON.parse(fs.readFileSync(path.join(release, "package.json"), "utf8")) as { version: string };
  if (bom.specVersion !== "1.6") fail(`sbom.cdx.json is CycloneDX ${bom.specVersion}, not 1.6.`);
  if (bom.metadata.component.version !== pkg.version)
    fail(`sbom.cdx.json describes version ${bom.metadata.component.version}, the release is ${pkg.version}.`);
  const listed = new Map<string, string>();
  for (const c of bom.components) {
    const at = c.properties?.find((p) => p.name === "cdx:npm:package:path")?.value;
    if (!at) fail(`The bill of materials lists ${c.name} without its path.`);
    listed.set(at, c.version);
  }
  const installed = installedPackages(release);
  const missing = installed.filter((p) => !listed.has(p));
  const absent = [...listed.keys()].filter((p) => !installed.includes(p));
  if (missing.length > 0) fail(`Packages inside the release that the bill of materials omits: ${missing.join(", ")}.`);
  if (absent.length > 0)
    fail(`Packages in the bill of materials that are not inside the release: ${absent.join(", ")}.`);
  for (const p of installed) {
    const { version } = JSON.parse(fs.readFileSync(path.join(release, p, "package.json"), "utf8")) as {
      version: string;
    };
    if (listed.get(p) !== version) fail(`${p} is ${version} inside, ${listed.get(p)} in the bill of materials.`);
  }
  const dev = DEVELOPMENT_ONLY.filter((n) => installed.includes(`node_modules/${n}`));
  if (dev.length > 0) fail(`The release ships development tools: ${dev.join(", ")}.`);
  return installed.length;
}

export function checkRefusal(release: string, old: string): void {
  const data = path.join(os.tmpdir(), `kq-refused-${process.pid}`);
  const r = launcher(release, old, ["start"], { DATA_DIR: data });
  const said = `${r.stdout}${r.stderr}`;
  if (r.status !== 1 || !/Node\.js 2\d\.\S+ .* is not supported/.test(said) || !said.includes("Node.js 22 or 24"))
    fail(`An unsupported Node.js must be refused with a clear message; exit ${r.status}, said: ${said.slice(0, 600)}`);
  if (fs.existsSync(data)) fail("The refused start created its data folder anyway.");
}

/** The command paths under "Commands:" in a commander help text. */
function subcommands(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1];
  if (!section) return [];
  return section
    .split("\n")
    .map((l) => /^ {2}([a-z][\w-]*)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n !== "help");
}

/** --help of every command and subcommand the CLI has, found from the help texts themselves. */
export async function checkHelp(release: string, runtime: string): Promise<string[]> {
  const top = launcher(release, runtime, ["--help"]);
  if (top.status !== 0 || !top.stdout.includes("knowledge-qa <command>"))
    fail(`bin/knowledge-qa --help failed (exit ${top.status}): ${top.stdout}${top.stderr}`);
  const checked: string[] = [];
  let level: string[][] = [[]];
  while (level.length > 0) {
    const next: string[][] = [];
    for (let i = 0; i < level.length; i += HELP_CONCURRENCY) {
      const batch = level.slice(i, i + HELP_CONCURRENCY);
      const answers = await Promise.all(batch.map((c) => launcherAsync(release, runtime, ["cli", ...c, "--help"])));
      batch.forEach((command, j) => {
        const r = answers[j]!;
        const usage = `Usage: cli${command.map((c) => ` ${c}`).join("")}`;
        if (r.status !== 0 || !r.stdout.startsWith(usage))
          fail(
            `cli ${command.join(" ")} --help failed (exit ${r.status}): ${r.stdout.slice(0, 400)}${r.stderr.slice(0, 1500)}`,
          );
        checked.push(command.join(" ") || "(top)");
        for (const sub of subcommands(r.stdout)) next.push([...command, sub]);
      });
    }
    level = next;
  }
  if (checked.length < 10) fail(`Only ${checked.length} CLI commands were found: ${checked.join(", ")}.`);
  const modelServer = launcher(release, runtime, ["model-server", "--help"]);
  const built = fs.existsSync(path.join(release, "cli", "model-server.mjs"));
  const answered = built
    ? modelServer.status === 0 && modelServer.stdout.startsWith("Usage: cli model-server")
    : modelServer.status === 2 && modelServer.stderr.includes("not in this build");
  if (!answered)
    fail(
      `model-server --help answered wrongly (exit ${modelServer.status}): ${modelServer.stdout}${modelServer.stderr}`,
    );
  return checked;
}

/** Each --help loads the whole CLI (about a second of CPU); a few at once, not all. */
const HELP_CONCURRENCY = 4;
