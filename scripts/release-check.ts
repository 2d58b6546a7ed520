// The offline release as an operator meets it, on each supported Node.js: the tarball unpacked into
// an empty folder, its checksums and bill of materials checked against what is inside, an old
// Node.js refused, every CLI command's --help, and then, inside a network namespace with nothing
// but loopback, from a read-only folder, and with the egress guard in every process, start-up, sign-in, an upload, a cited
// answer and real CLI commands (a user created and listed, the audit trail verified), using only
// the release folder and that Node.js. Exits non-zero naming the first failure.
//
//   node --import tsx scripts/release-check.ts [--node 22] [--node 24] [--tarball dist/…tar.gz]
//
// Run by `npm test` after `npm run release`; needs root for `unshare -n`.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  Failure,
  OfflineClient,
  fail,
  inspectGuardLog,
  isolate,
  readJsonLines,
  run,
  stopProcessGroup,
} from "../e2e/support/offline-flow";
import { nodeRuntime, RUNTIMES } from "./node-runtimes";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const { values } = parseArgs({
  options: {
    node: { type: "string", multiple: true },
    tarball: { type: "string" },
    // Internal: the part that runs inside the namespace.
    inside: { type: "boolean", default: false },
    release: { type: "string" },
    runtime: { type: "string" },
    report: { type: "string" },
  },
});

type Timings = Record<string, number>;

async function timed<T>(timings: Timings, name: string, fn: () => T | Promise<T>): Promise<T> {
  const started = performance.now();
  process.stderr.write(`release-check: ${name}…\n`);
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - started);
  }
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the release's launcher with one Node.js on PATH and nothing else of this machine's environment. */
function launcher(
  release: string,
  runtime: string,
  args: string[],
  extra: Record<string, string> = {},
  input?: string,
): Ran {
  const r = spawnSync(path.join(release, "bin", "knowledge-qa"), args, {
    cwd: os.tmpdir(),
    encoding: "utf8",
    input,
    timeout: 120_000,
    env: releaseEnv(runtime, extra),
  });
  if (r.error) fail(`bin/knowledge-qa ${args.join(" ")} could not run: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function releaseEnv(runtime: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  // /usr/bin:/bin for the launcher's sh, readlink and dirname; Node.js is the only other program.
  // Nothing else of this process's environment (no DATABASE_URL, no NODE_ENV): embedded defaults.
  const env = { PATH: `${path.dirname(runtime)}:/usr/bin:/bin`, HOME: os.tmpdir(), LANG: "C.UTF-8", ...extra };
  return env as unknown as NodeJS.ProcessEnv;
}

// --- Outside the namespace: the folder, the checksums, the bill of materials, the refusal, --help -

function unpack(tarball: string): string {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), "kq-release-"));
  const r = spawnSync("tar", ["-xzf", tarball, "-C", target], { encoding: "utf8" });
  if (r.status !== 0) fail(`tar -xzf ${tarball} failed: ${r.stderr.trim()}`);
  const [folder, ...others] = fs.readdirSync(target);
  if (!folder || others.length > 0)
    fail(`The tarball must hold one folder, but holds: ${fs.readdirSync(target).join(", ")}.`);
  return path.join(target, folder);
}

function checkSums(release: string): void {
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

function checkBillOfMaterials(release: string): number {
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

function checkRefusal(release: string, old: string): void {
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

/** Like launcher(), without waiting: several --help checks share the machine's cores. */
function launcherAsync(release: string, runtime: string, args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(release, "bin", "knowledge-qa"), args, {
      cwd: os.tmpdir(),
      env: releaseEnv(runtime, {}),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** --help of every command and subcommand the CLI has, found from the help texts themselves. */
async function checkHelp(release: string, runtime: string): Promise<string[]> {
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

// --- Inside the namespace -----------------------------------------------------------------------

async function inside(release: string, runtime: string, reportPath: string): Promise<void> {
  const timings: Timings = {};
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "kq-release-run-"));
  const guardLog = path.join(work, "egress-guard.jsonl");
  const serverLog = path.join(work, "server.log");
  const port = 3900 + Math.floor(Math.random() * 500);
  const admin = { email: "admin@release.example", password: `release-${Math.random().toString(36).slice(2)}-Pw!` };
  const env = {
    NODE_OPTIONS: `--require ${path.join(release, "scripts", "egress-guard.cjs")}`,
    EGRESS_GUARD_LOG: guardLog,
    DATA_DIR: path.join(work, "data"),
    PORT: String(port),
  };
  const client = new OfflineClient(`http://127.0.0.1:${port}`, admin);
  const report: Record<string, unknown> = { ok: false, timings, node: runtime };
  let server: ChildProcess | null = null;
  try {
    report.isolation = await timed(timings, "isolate", () => isolate());
    await timed(timings, "make the release read-only", () => readOnly(release));
    await timed(timings, "self-test the egress guard", () => selfTestGuard(release, runtime, work));
    server = spawn(path.join(release, "bin", "knowledge-qa"), ["start"], {
      cwd: work,
      detached: true,
      stdio: ["ignore", fs.openSync(serverLog, "a"), fs.openSync(serverLog, "a")],
      env: releaseEnv(runtime, { ...env, ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, LOG_LEVEL: "info" }),
    });
    await timed(timings, "start-up", () => client.waitForHealth(server!));
    const key = await timed(timings, "sign in", () => client.signIn());
    const documentId = await timed(timings, "upload and ingest", () => client.ingest(key));
    report.answer = await timed(timings, "cited answer", () => client.ask(key, documentId));
    await timed(timings, "cli user add and list (server running)", () => cliUsers(release, runtime, env));
    await timed(timings, "cli audit verify (server running)", () => cliAuditVerify(release, runtime, env));
    await timed(timings, "stop", () => stopProcessGroup(server!));
    // With the server gone the CLI opens the embedded database itself.
    await timed(timings, "cli audit verify (server stopped)", () => cliAuditVerify(release, runtime, env));
    const { summary, problem } = inspectGuardLog(guardLog);
    report.guard = summary;
    if (problem) fail(problem);
    report.ok = true;
  } catch (err) {
    report.failure = err instanceof Failure ? err.message : `Unexpected error: ${(err as Error).stack ?? String(err)}`;
  } finally {
    if (server) await stopProcessGroup(server);
    report.serverLogTail = fs.existsSync(serverLog) ? fs.readFileSync(serverLog, "utf8").slice(-4000) : "";
    fs.writeFileSync(reportPath, JSON.stringify(report, null, 2));
    if (report.ok) fs.rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`release-check: kept ${work} for inspection\n`);
  }
}

/**
 * As the systemd unit's ProtectSystem=strict and the container's read_only leave it: the release
 * runs from a folder it cannot write to, and keeps its data in DATA_DIR only.
 */
function readOnly(release: string): void {
  run("mount", ["--bind", release, release]);
  run("mount", ["-o", "remount,bind,ro", release]);
  try {
    fs.writeFileSync(path.join(release, "probe"), "");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EROFS") return;
    throw err;
  }
  fail(`${release} is still writable after remounting it read-only.`);
}

/** The guard shipped in the release must catch what it claims to, or its silence proves nothing. */
function selfTestGuard(release: string, runtime: string, work: string): void {
  const log = path.join(work, "self-test.jsonl");
  const r = spawnSync(
    runtime,
    [
      "-e",
      'fetch("http://192.0.2.1/").catch((e) => console.log("refused:", e.cause?.code ?? e.message)); setTimeout(() => {}, 200);',
    ],
    {
      encoding: "utf8",
      timeout: 10_000,
      env: releaseEnv(runtime, {
        NODE_OPTIONS: `--require ${path.join(release, "scripts", "egress-guard.cjs")}`,
        EGRESS_GUARD_LOG: log,
      }),
    },
  );
  if (r.status !== 0) fail(`The egress guard's self-test did not run: ${r.stderr}`);
  const recorded = readJsonLines(log).filter((e) => e.type === "attempt" && e.target === "192.0.2.1:80");
  if (recorded.length === 0) fail("The release's egress guard did not record a connection to 192.0.2.1:80.");
}

function cliOk(release: string, runtime: string, env: Record<string, string>, args: string[], input?: string): string {
  const r = launcher(release, runtime, ["cli", ...args], env, input);
  if (r.status !== 0) fail(`cli ${args.join(" ")} failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
  return r.stdout;
}

function cliUsers(release: string, runtime: string, env: Record<string, string>): void {
  const email = "nurse@release.example";
  const added = cliOk(
    release,
    runtime,
    env,
    ["user", "add", "--email", email, "--name", "Ward Nurse", "--role", "employee", "--password-stdin"],
    "a-long-enough-password-1\n",
  );
  if (!added.includes(`Created ${email}`)) fail(`cli user add said: ${added}`);
  const listed = cliOk(release, runtime, env, ["user", "list"]);
  if (!listed.includes(email) || !listed.includes("admin@release.example"))
    fail(`cli user list does not show both users: ${listed}`);
}

function cliAuditVerify(release: string, runtime: string, env: Record<string, string>): void {
  const out = cliOk(release, runtime, env, ["audit", "verify"]);
  if (!out.includes("The chain is intact.")) fail(`cli audit verify did not find the chain intact: ${out}`);
}

// --- Driver -------------------------------------------------------------------------------------

function requirement(): string | null {
  if (typeof process.getuid !== "function" || process.getuid() !== 0)
    return "must run as root: it creates a network namespace with `unshare -n`.";
  const probe = spawnSync("unshare", ["-n", "--", "true"], { encoding: "utf8" });
  if (probe.status !== 0) return `cannot create a network namespace (\`unshare -n true\`: ${probe.stderr.trim()}).`;
  return null;
}

function defaultTarball(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  return path.join(root, "dist", `knowledge-qa-${pkg.version}-linux-x64.tar.gz`);
}

async function outside(): Promise<number> {
  const missing = requirement();
  if (missing) fail(`The release check ${missing}`);
  const tarball = path.resolve(values.tarball ?? defaultTarball());
  if (!fs.existsSync(tarball)) fail(`${tarball} does not exist: run npm run release first.`);
  const majors = values.node ?? ["22", "24"];
  const old = nodeRuntime("20");
  const results: Record<string, Timings> = {};
  for (const major of majors) {
    if (!(major in RUNTIMES)) fail(`No Node.js ${major} is pinned in scripts/node-runtimes.mjs.`);
    const runtime = nodeRuntime(major);
    const timings: Timings = {};
    const release = await timed(timings, "unpack", () => unpack(tarball));
    try {
      await timed(timings, "SHA256SUMS", () => checkSums(release));
      const packages = await timed(timings, "bill of materials", () => checkBillOfMaterials(release));
      await timed(timings, "refuse Node.js 20", () => checkRefusal(release, old));
      const commands = await timed(timings, "every --help", () => checkHelp(release, runtime));
      const reportPath = path.join(os.tmpdir(), `kq-release-check-${process.pid}-${major}.json`);
      const r = spawnSync(
        "unshare",
        [
          // A network namespace with only loopback, and a mount namespace to make the release read-only in.
          "-n",
          "-m",
          "--",
          process.execPath,
          "--import",
          "tsx",
          path.join(root, "scripts", "release-check.ts"),
          "--inside",
          "--release",
          release,
          "--runtime",
          runtime,
          "--report",
          reportPath,
        ],
        { cwd: root, encoding: "utf8", stdio: ["ignore", "inherit", "inherit"], timeout: 300_000 },
      );
      if (!fs.existsSync(reportPath)) fail(`The offline run wrote no report (exit ${r.status}).`);
      const report = JSON.parse(fs.readFileSync(reportPath, "utf8")) as {
        ok: boolean;
        failure?: string;
        timings: Timings;
        serverLogTail: string;
      };
      if (!report.ok) fail(`On Node.js ${major}, offline: ${report.failure}\nServer log:\n${report.serverLogTail}`);
      Object.assign(timings, report.timings);
      console.log(
        `✓ Node.js ${major} (${RUNTIMES[major]!.version}): ${packages} packages, ` +
          `${commands.length} CLI commands' --help, offline start-up ${report.timings["start-up"]} ms, ` +
          `sign-in, upload and a cited answer, cli user and audit verify`,
      );
    } finally {
      fs.rmSync(path.dirname(release), { recursive: true, force: true });
    }
    results[major] = timings;
  }
  console.log(
    JSON.stringify({ tarball: path.relative(root, tarball), bytes: fs.statSync(tarball).size, results }, null, 2),
  );
  return 0;
}

const main = values.inside
  ? () => inside(values.release!, values.runtime!, values.report!).then(() => 0)
  : () => outside();

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `\n✗ release check: ${err instanceof Failure ? err.message : ((err as Error).stack ?? String(err))}\n`,
    );
    process.exit(1);
  },
);
