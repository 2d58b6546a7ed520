// Runs INSIDE a network namespace with nothing but loopback (`unshare -n`, started by
// e2e/zero-egress.spec.ts): starts the production server under the egress guard (and strace when
// installed), signs in, uploads a document, waits for ingestion, asks a question and checks the
// cited answer; then verifies that no process or thread of the server tried to reach anything
// but this machine. Writes a JSON report to ZE_REPORT and exits non-zero on any failure.
//
//   unshare -n -- node --import tsx e2e/support/zero-egress-run.ts
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  Failure,
  OfflineClient,
  fail,
  inspectGuardLog,
  isolate,
  readJsonLines,
  stopProcessGroup,
  type AnswerSummary,
  type Seen,
} from "./offline-flow";

const root = process.cwd();
const reportPath = process.env.ZE_REPORT ?? path.join(os.tmpdir(), `kq-zero-egress-${process.pid}.json`);
const port = Number(process.env.ZE_PORT ?? 3900 + Math.floor(Math.random() * 500));
const base = `http://127.0.0.1:${port}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "kq-zero-egress-"));
const guardLog = path.join(work, "egress-guard.jsonl");
const straceLog = path.join(work, "strace.txt");
const serverLog = path.join(work, "server.log");
const admin = { email: "admin@offline.example", password: `offline-${Math.random().toString(36).slice(2)}-Pw!` };
const client = new OfflineClient(base, admin);

interface Report {
  ok: boolean;
  failure: string | null;
  steps: { name: string; ms: number }[];
  isolation: { links: string[]; routes: string[] } | null;
  selfTest: { recorded: string[] } | null;
  guard: { processes: number; threads: number; attempts: unknown[] } | null;
  strace: { used: boolean; inetConnects: number; violations: string[] } | null;
  answer: AnswerSummary | null;
  seen: Seen[];
  serverLogTail: string;
}

const report: Report = {
  ok: false,
  failure: null,
  steps: [],
  isolation: null,
  selfTest: null,
  guard: null,
  strace: null,
  answer: null,
  seen: [],
  serverLogTail: "",
};

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stderr.write(`zero-egress: ${name}…\n`);
  try {
    return await fn();
  } finally {
    report.steps.push({ name, ms: Math.round(performance.now() - started) });
  }
}

const guardEnv = (log: string) => ({
  NODE_OPTIONS: `--require ${path.join(root, "scripts", "egress-guard.cjs")}`,
  EGRESS_GUARD_LOG: log,
});

/** The guard must catch what it claims to catch, or its silence proves nothing. */
function selfTest(): void {
  const log = path.join(work, "self-test.jsonl");
  const script = `
    const dns = require("node:dns");
    // Each call fails here (no network): what matters is that the guard recorded the attempt.
    fetch("http://192.0.2.1/").catch((err) => console.log("fetch refused:", err.cause?.code ?? err.message));
    dns.lookup("example.com", () => {});
    require("node:https").get("https://registry.npmjs.org/").on("error", () => {});
    setTimeout(() => {}, 200);`;
  const r = spawnSync(process.execPath, ["-e", script], {
    env: { ...process.env, ...guardEnv(log) },
    encoding: "utf8",
    timeout: 10_000,
  });
  if (r.status !== 0) fail(`The egress guard's self-test did not run: ${r.stderr}`);
  const recorded = readJsonLines(log)
    .filter((e) => e.type === "attempt")
    .map((e) => `${e.kind} ${e.target}`);
  report.selfTest = { recorded };
  for (const wanted of ["connect 192.0.2.1:80", "dns.lookup example.com", "connect registry.npmjs.org:443"]) {
    if (!recorded.includes(wanted))
      fail(`The egress guard missed "${wanted}" in its self-test (it recorded: ${recorded.join(", ") || "nothing"}).`);
  }
}

function hasStrace(): boolean {
  return spawnSync("strace", ["-V"], { encoding: "utf8" }).status === 0;
}

function startServer(useStrace: boolean): ChildProcess {
  const next = [
    process.execPath,
    path.join(root, "node_modules", "next", "dist", "bin", "next"),
    "start",
    "-p",
    String(port),
  ];
  const cmd = useStrace
    ? [
        "strace",
        "-f",
        "--seccomp-bpf",
        "-qq",
        "-e",
        "trace=connect,sendto,sendmsg",
        "-e",
        "signal=none",
        "-o",
        straceLog,
        ...next,
      ]
    : next;
  const out = fs.openSync(serverLog, "a");
  // Its own process group, so the whole tree (strace, node, any child) stops together.
  return spawn(cmd[0]!, cmd.slice(1), {
    cwd: root,
    detached: true,
    stdio: ["ignore", out, out],
    env: {
      ...process.env,
      ...guardEnv(guardLog),
      // As `npm start` runs it (scripts/setup.mjs nextEnv), on embedded defaults in a fresh folder.
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      DATA_DIR: path.join(work, "data"),
      DATABASE_URL: "",
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      // The flow signs in over plain HTTP to make an API key; e2e/mfa.spec.ts proves the enforcement.
      MFA_REQUIRED_ROLES: "",
      // Info, so that a slow or stuck start-up shows in the report how far it got.
      LOG_LEVEL: "info",
    },
  });
}

/** Socket calls from native code too: any IPv4/IPv6 address that is not loopback is a violation. */
function inspectStrace(used: boolean): string | null {
  if (!used || !fs.existsSync(straceLog)) {
    report.strace = { used: false, inetConnects: 0, violations: [] };
    return null;
  }
  const lines = fs.readFileSync(straceLog, "utf8").split("\n");
  let inetConnects = 0;
  const violations: string[] = [];
  for (const line of lines) {
    const v4 = /sa_family=AF_INET,.*inet_addr\("([^"]+)"\)/.exec(line);
    const v6 = /sa_family=AF_INET6,.*inet_pton\(AF_INET6, "([^"]+)"/.exec(line);
    const address = v4?.[1] ?? v6?.[1];
    if (!address) continue;
    inetConnects++;
    const loopback = address.startsWith("127.") || address === "::1" || /^::ffff:127\./.test(address);
    // glibc probes address configuration with connect(AF_UNSPEC/0.0.0.0); nothing is sent.
    if (!loopback && address !== "0.0.0.0" && address !== "::") violations.push(line.trim());
  }
  report.strace = { used: true, inetConnects, violations };
  return violations.length > 0
    ? `strace saw ${violations.length} socket call(s) to addresses off this machine:\n  ${violations.slice(0, 10).join("\n  ")}`
    : null;
}

/** What the guard saw in every process and thread of the server; the problem, if any. */
function inspectGuard(): string | null {
  const { summary, problem } = inspectGuardLog(guardLog);
  report.guard = summary;
  return problem;
}

async function main(): Promise<number> {
  let server: ChildProcess | null = null;
  const useStrace = hasStrace();
  try {
    await step("isolate", async () => {
      report.isolation = isolate();
    });
    await step("self-test the egress guard", async () => selfTest());
    server = startServer(useStrace);
    await step("start-up", () => client.waitForHealth(server!));
    const key = await step("sign in", () => client.signIn());
    const documentId = await step("upload and ingest", () => client.ingest(key));
    report.answer = await step("ask", () => client.ask(key, documentId));
    await step("stop", () => stopProcessGroup(server!));
    const problem = inspectGuard() ?? inspectStrace(useStrace);
    if (problem) fail(problem);
    report.ok = true;
    return 0;
  } catch (err) {
    report.failure = err instanceof Failure ? err.message : `Unexpected error: ${(err as Error).stack ?? String(err)}`;
    return 1;
  } finally {
    if (server) {
      try {
        await stopProcessGroup(server);
      } catch (err) {
        process.stderr.write(`zero-egress: could not stop the server: ${(err as Error).message}\n`);
      }
      // On an earlier failure the guard's and strace's findings still belong in the report.
      if (!report.guard) inspectGuard();
      if (!report.strace) inspectStrace(useStrace);
    }
    report.seen = client.seen;
    report.serverLogTail = fs.existsSync(serverLog) ? fs.readFileSync(serverLog, "utf8").slice(-4000) : "";
    fs.writeFileSync(reportPath, JSON.stringify(report, null, 2));
    if (report.ok) fs.rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`zero-egress: FAILED: ${report.failure}\n(kept ${work} for inspection)\n`);
  }
}

main().then((code) => process.exit(code));
