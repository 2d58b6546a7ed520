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
import { launcher, releaseEnv, timed, type Timings } from "./release-check/launcher";
import { checkBillOfMaterials, checkHelp, checkRefusal, checkSums, unpack } from "./release-check/contents";

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
      // The check signs in over plain HTTP to make an API key; it does not enrol an authenticator.
      env: releaseEnv(runtime, {
        ...env,
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
        MFA_REQUIRED_ROLES: "",
        LOG_LEVEL: "info",
      }),
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
