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
import { streamChat } from "@/lib/chat/client-stream";
import type { FinalAnswer } from "@/lib/chat/types";

const root = process.cwd();
const reportPath = process.env.ZE_REPORT ?? path.join(os.tmpdir(), `kq-zero-egress-${process.pid}.json`);
const port = Number(process.env.ZE_PORT ?? 3900 + Math.floor(Math.random() * 500));
const base = `http://127.0.0.1:${port}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "kq-zero-egress-"));
const guardLog = path.join(work, "egress-guard.jsonl");
const straceLog = path.join(work, "strace.txt");
const serverLog = path.join(work, "server.log");
const admin = { email: "admin@offline.example", password: `offline-${Math.random().toString(36).slice(2)}-Pw!` };

const DOCUMENT = `# Hand hygiene protocol

## Alcohol-based hand rub

Rub an alcohol-based hand rub over all surfaces of both hands for twenty to thirty seconds,
until the hands are dry. Use it before and after every patient contact.

## Soap and water

Wash with soap and water for at least forty seconds when hands are visibly soiled.
`;
const QUESTION = "For how many seconds should I rub alcohol-based hand rub over my hands?";

interface Report {
  ok: boolean;
  failure: string | null;
  steps: { name: string; ms: number }[];
  isolation: { links: string[]; routes: string[] } | null;
  selfTest: { recorded: string[] } | null;
  guard: { processes: number; threads: number; attempts: unknown[] } | null;
  strace: { used: boolean; inetConnects: number; violations: string[] } | null;
  answer: { status: string; citations: number; citedDocument: boolean; answer: string } | null;
  seen: { url: string; status: number; body: string }[];
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

class Failure extends Error {}

function fail(message: string): never {
  throw new Failure(message);
}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stderr.write(`zero-egress: ${name}…\n`);
  try {
    return await fn();
  } finally {
    report.steps.push({ name, ms: Math.round(performance.now() - started) });
  }
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error) fail(`${cmd} ${args.join(" ")} could not run: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(" ")} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Loopback up, and nothing else: no other interface, no route off the machine. */
function isolate(): void {
  run("ip", ["link", "set", "lo", "up"]);
  const links = run("ip", ["-o", "link", "show"])
    .trim()
    .split("\n")
    .map((l) => l.split(":")[1]!.trim());
  const routes = [
    ...run("ip", ["-4", "route", "show"]).trim().split("\n"),
    ...run("ip", ["-6", "route", "show"]).trim().split("\n"),
  ].filter((r) => r && !/^(::1|fe80::)/.test(r) && !/ dev lo /.test(` ${r} `));
  report.isolation = { links, routes };
  if (links.join(",") !== "lo")
    fail(`This must run in a network namespace with only loopback, but these interfaces exist: ${links.join(", ")}.`);
  if (routes.length > 0) fail(`The namespace has routes off the machine: ${routes.join("; ")}.`);
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

function readJsonLines(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
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
      // Info, so that a slow or stuck start-up shows in the report how far it got.
      LOG_LEVEL: "info",
    },
  });
}

async function http(
  method: string,
  url: string,
  init: { headers?: Record<string, string>; body?: BodyInit; record?: boolean } = {},
) {
  const res = await fetch(`${base}${url}`, { method, headers: init.headers, body: init.body, redirect: "manual" });
  const text = await res.text();
  if (init.record !== false && url.startsWith("/api/") && !url.startsWith("/api/auth/"))
    report.seen.push({ url: `${method} ${url}`, status: res.status, body: text });
  return { res, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** A cold start (PGlite's first initdb, migrations, argon2 for the first admin) takes 5–10 s here; this allows for a loaded machine. */
const HEALTH_WAIT_MS = 150_000;

async function waitForHealth(server: ChildProcess): Promise<void> {
  const deadline = Date.now() + HEALTH_WAIT_MS;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (server.exitCode !== null) fail(`The server exited with code ${server.exitCode} while starting.`);
    const r = await fetch(`${base}/api/health`).then(
      (res) => `HTTP ${res.status}`,
      (err: Error) => {
        const cause = err.cause as { code?: string; message?: string } | undefined;
        return `${err.message} (${cause?.code ?? cause?.message ?? "no cause given"})`;
      },
    );
    if (r === "HTTP 200") return;
    last = r;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  fail(`The server did not answer /api/health within ${HEALTH_WAIT_MS / 1000} s (last: ${last}).`);
}

/** Auth.js's credentials flow over plain HTTP, then an API key for the rest. */
async function signIn(): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrf = await fetch(`${base}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const form = new URLSearchParams({ email: admin.email, password: admin.password, csrfToken, callbackUrl: "/" });
  const login = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: form,
  });
  keep(login);
  if (![...jar.keys()].some((k) => k.endsWith("session-token")))
    fail(`Signing in failed: ${login.status} ${login.headers.get("location")}`);
  const created = await http("POST", "/api/api-keys", {
    headers: { cookie: cookie(), "content-type": "application/json" },
    body: JSON.stringify({ name: "zero-egress" }),
  });
  if (created.res.status !== 201) fail(`Creating an API key failed: ${created.res.status} ${created.text}`);
  return created.json().key as string;
}

async function ingest(key: string): Promise<string> {
  const auth = { authorization: `Bearer ${key}` };
  const json = { ...auth, "content-type": "application/json" };
  const collection = await http("POST", "/api/collections", {
    headers: json,
    body: JSON.stringify({ name: "Offline protocols", description: "Zero-egress check" }),
  });
  if (collection.res.status !== 201) fail(`Creating a collection failed: ${collection.text}`);
  const collectionId = collection.json().id as string;
  const grant = await http("POST", `/api/collections/${collectionId}/grants`, {
    headers: json,
    body: JSON.stringify({ role: "admin", access: "read" }),
  });
  if (grant.res.status >= 300) fail(`Granting the collection failed: ${grant.text}`);
  const body = new FormData();
  body.append("file", new Blob([DOCUMENT], { type: "text/markdown" }), "hand-hygiene.md");
  const upload = await http("POST", `/api/collections/${collectionId}/documents`, { headers: auth, body });
  if (upload.res.status !== 202) fail(`Uploading failed: ${upload.res.status} ${upload.text}`);
  const file = (upload.json().files as { status: string; jobId: string; documentId: string }[])[0]!;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const job = (await http("GET", `/api/jobs/${file.jobId}`, { headers: auth })).json();
    if (job.status === "succeeded") return file.documentId;
    if (job.status === "failed") fail(`Ingestion failed: ${String(job.error)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return fail("Ingestion did not finish within 60 s.");
}

async function ask(key: string, documentId: string): Promise<void> {
  let final: FinalAnswer | null = null;
  const events: string[] = [];
  try {
    for await (const e of streamChat(
      { message: QUESTION },
      { baseUrl: base, headers: { authorization: `Bearer ${key}` } },
    )) {
      events.push(e.event);
      if (e.event === "error") fail(`The answer stream ended with an error: ${e.data.code}: ${e.data.message}`);
      if (e.event === "final") final = e.data;
    }
  } catch (err) {
    if (err instanceof Failure) throw err;
    fail(`Asking failed: ${(err as Error).message}`);
  }
  report.seen.push({ url: "POST /api/chat", status: 200, body: JSON.stringify(final) });
  if (!final) fail(`The answer stream ended without a final event (events: ${events.join(", ")}).`);
  report.answer = {
    status: final.status,
    citations: final.citations.length,
    citedDocument: final.citations.some((c) => c.documentId === documentId),
    answer: final.answer,
  };
  if (final.status !== "complete") fail(`The answer did not complete: ${final.status}.`);
  if (final.citations.length === 0) fail(`The answer cites nothing: ${JSON.stringify(final.answer)}.`);
  if (!report.answer.citedDocument) fail("The answer does not cite the uploaded document.");
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.pid === undefined) return;
  const exited = new Promise((r) => server.once("exit", r));
  process.kill(-server.pid, "SIGTERM");
  const timer = setTimeout(() => process.kill(-server.pid!, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** What the guard saw in every process and thread of the server; the problem, if any. */
function inspectGuard(): string | null {
  const entries = readJsonLines(guardLog);
  const loaded = entries.filter((e) => e.type === "loaded");
  const attempts = entries.filter((e) => e.type === "attempt");
  report.guard = { processes: new Set(loaded.map((e) => e.pid)).size, threads: loaded.length, attempts };
  if (loaded.length === 0) return "The egress guard was never loaded into the server: its silence proves nothing.";
  if (attempts.length === 0) return null;
  const list = attempts.map(
    (a) =>
      `${String(a.kind)} ${String(a.target)} (pid ${String(a.pid)}, thread ${String(a.thread)}) from ${(a.stack as string[]).slice(0, 3).join(" < ") || "?"}`,
  );
  return `The server tried to reach the network ${attempts.length} time(s):\n  ${list.join("\n  ")}`;
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

async function main(): Promise<number> {
  let server: ChildProcess | null = null;
  const useStrace = hasStrace();
  try {
    await step("isolate", async () => isolate());
    await step("self-test the egress guard", async () => selfTest());
    server = startServer(useStrace);
    await step("start-up", () => waitForHealth(server!));
    const key = await step("sign in", () => signIn());
    const documentId = await step("upload and ingest", () => ingest(key));
    await step("ask", () => ask(key, documentId));
    await step("stop", () => stopServer(server!));
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
        await stopServer(server);
      } catch (err) {
        process.stderr.write(`zero-egress: could not stop the server: ${(err as Error).message}\n`);
      }
      // On an earlier failure the guard's and strace's findings still belong in the report.
      if (!report.guard) inspectGuard();
      if (!report.strace) inspectStrace(useStrace);
    }
    report.serverLogTail = fs.existsSync(serverLog) ? fs.readFileSync(serverLog, "utf8").slice(-4000) : "";
    fs.writeFileSync(reportPath, JSON.stringify(report, null, 2));
    if (report.ok) fs.rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`zero-egress: FAILED: ${report.failure}\n(kept ${work} for inspection)\n`);
  }
}

main().then((code) => process.exit(code));
