// What a first user does on a machine with no network, over plain HTTP: wait for the server,
// sign in, upload a document through ingestion and get a cited answer; and what the egress guard
// and the namespace say about it. Shared by the zero-egress run (the production build from the
// project folder) and the release check (the unpacked release), both inside `unshare -n`.
import { spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { streamChat } from "@/lib/chat/client-stream";
import type { FinalAnswer } from "@/lib/chat/types";

export class Failure extends Error {}

export function fail(message: string): never {
  throw new Failure(message);
}

export const DOCUMENT = `# Hand hygiene protocol

## Alcohol-based hand rub

Rub an alcohol-based hand rub over all surfaces of both hands for twenty to thirty seconds,
until the hands are dry. Use it before and after every patient contact.

## Soap and water

Wash with soap and water for at least forty seconds when hands are visibly soiled.
`;
export const QUESTION = "For how many seconds should I rub alcohol-based hand rub over my hands?";

export interface Seen {
  url: string;
  status: number;
  body: string;
}

export interface AnswerSummary {
  status: string;
  citations: number;
  citedDocument: boolean;
  answer: string;
}

export function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error) fail(`${cmd} ${args.join(" ")} could not run: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(" ")} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Loopback up, and nothing else: no other interface, no route off the machine. */
export function isolate(): { links: string[]; routes: string[] } {
  run("ip", ["link", "set", "lo", "up"]);
  const links = run("ip", ["-o", "link", "show"])
    .trim()
    .split("\n")
    .map((l) => l.split(":")[1]!.trim());
  const routes = [
    ...run("ip", ["-4", "route", "show"]).trim().split("\n"),
    ...run("ip", ["-6", "route", "show"]).trim().split("\n"),
  ].filter((r) => r && !/^(::1|fe80::)/.test(r) && !/ dev lo /.test(` ${r} `));
  if (links.join(",") !== "lo")
    fail(`This must run in a network namespace with only loopback, but these interfaces exist: ${links.join(", ")}.`);
  if (routes.length > 0) fail(`The namespace has routes off the machine: ${routes.join("; ")}.`);
  return { links, routes };
}

export function readJsonLines(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** What the guard saw in every process and thread of the server, and the problem, if any. */
export function inspectGuardLog(log: string): {
  summary: { processes: number; threads: number; attempts: unknown[] };
  problem: string | null;
} {
  const entries = readJsonLines(log);
  const loaded = entries.filter((e) => e.type === "loaded");
  const attempts = entries.filter((e) => e.type === "attempt");
  const summary = { processes: new Set(loaded.map((e) => e.pid)).size, threads: loaded.length, attempts };
  if (loaded.length === 0)
    return { summary, problem: "The egress guard was never loaded into the server: its silence proves nothing." };
  if (attempts.length === 0) return { summary, problem: null };
  const list = attempts.map(
    (a) =>
      `${String(a.kind)} ${String(a.target)} (pid ${String(a.pid)}, thread ${String(a.thread)}) from ${(a.stack as string[]).slice(0, 3).join(" < ") || "?"}`,
  );
  return {
    summary,
    problem: `The server tried to reach the network ${attempts.length} time(s):\n  ${list.join("\n  ")}`,
  };
}

/** A cold start (PGlite's first initdb, migrations, argon2 for the first admin) takes 5–10 s here; this allows for a loaded machine. */
export const HEALTH_WAIT_MS = 150_000;

export class OfflineClient {
  readonly seen: Seen[] = [];

  constructor(
    readonly base: string,
    private readonly admin: { email: string; password: string },
  ) {}

  async http(
    method: string,
    url: string,
    init: { headers?: Record<string, string>; body?: BodyInit; record?: boolean } = {},
  ) {
    const res = await fetch(`${this.base}${url}`, {
      method,
      headers: init.headers,
      body: init.body,
      redirect: "manual",
    });
    const text = await res.text();
    if (init.record !== false && url.startsWith("/api/") && !url.startsWith("/api/auth/"))
      this.seen.push({ url: `${method} ${url}`, status: res.status, body: text });
    return { res, text, json: () => JSON.parse(text) as Record<string, unknown> };
  }

  async waitForHealth(server: ChildProcess): Promise<void> {
    const deadline = Date.now() + HEALTH_WAIT_MS;
    let last = "no answer yet";
    while (Date.now() < deadline) {
      if (server.exitCode !== null) fail(`The server exited with code ${server.exitCode} while starting.`);
      const r = await fetch(`${this.base}/api/health`).then(
        (res) => `HTTP ${res.status}`,
        (err: Error) => {
          const cause = err.cause as { code?: string; message?: string } | undefined;
          return `${err.message} (${cause?.code ?? cause?.message ?? "no cause given"})`;
        },
      );
      if (r === "HTTP 200") return;
      last = r;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    fail(`The server did not answer /api/health within ${HEALTH_WAIT_MS / 1000} s (last: ${last}).`);
  }

  /** Auth.js's credentials flow over plain HTTP; the session's cookie header. */
  async signInCookie(): Promise<string> {
    const jar = new Map<string, string>();
    const keep = (res: Response) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const i = pair!.indexOf("=");
        jar.set(pair!.slice(0, i), pair!.slice(i + 1));
      }
    };
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const csrf = await fetch(`${this.base}/api/auth/csrf`);
    keep(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const form = new URLSearchParams({
      email: this.admin.email,
      password: this.admin.password,
      csrfToken,
      callbackUrl: "/",
    });
    const login = await fetch(`${this.base}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
      body: form,
    });
    keep(login);
    if (![...jar.keys()].some((k) => k.endsWith("session-token")))
      fail(`Signing in failed: ${login.status} ${login.headers.get("location")}`);
    return cookie();
  }

  /** Signs in, then makes an API key for the rest. */
  async signIn(): Promise<string> {
    const cookie = await this.signInCookie();
    const created = await this.http("POST", "/api/api-keys", {
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: "offline-check" }),
    });
    if (created.res.status !== 201) fail(`Creating an API key failed: ${created.res.status} ${created.text}`);
    return created.json().key as string;
  }

  /** Creates a collection the admin reads, uploads DOCUMENT and waits for its ingestion; the document's id. */
  async ingest(key: string): Promise<string> {
    const auth = { authorization: `Bearer ${key}` };
    const json = { ...auth, "content-type": "application/json" };
    const collection = await this.http("POST", "/api/collections", {
      headers: json,
      body: JSON.stringify({ name: "Offline protocols", description: "Offline check" }),
    });
    if (collection.res.status !== 201) fail(`Creating a collection failed: ${collection.text}`);
    const collectionId = collection.json().id as string;
    const grant = await this.http("POST", `/api/collections/${collectionId}/grants`, {
      headers: json,
      body: JSON.stringify({ role: "admin", access: "read" }),
    });
    if (grant.res.status >= 300) fail(`Granting the collection failed: ${grant.text}`);
    const body = new FormData();
    body.append("file", new Blob([DOCUMENT], { type: "text/markdown" }), "hand-hygiene.md");
    const upload = await this.http("POST", `/api/collections/${collectionId}/documents`, { headers: auth, body });
    if (upload.res.status !== 202) fail(`Uploading failed: ${upload.res.status} ${upload.text}`);
    const file = (upload.json().files as { status: string; jobId: string; documentId: string }[])[0]!;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const job = (await this.http("GET", `/api/jobs/${file.jobId}`, { headers: auth })).json();
      if (job.status === "succeeded") return file.documentId;
      if (job.status === "failed") fail(`Ingestion failed: ${String(job.error)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    return fail("Ingestion did not finish within 60 s.");
  }

  /** Asks QUESTION; fails unless the answer completes and cites the uploaded document. */
  async ask(key: string, documentId: string): Promise<AnswerSummary> {
    let final: FinalAnswer | null = null;
    const events: string[] = [];
    try {
      for await (const e of streamChat(
        { message: QUESTION },
        { baseUrl: this.base, headers: { authorization: `Bearer ${key}` } },
      )) {
        events.push(e.event);
        if (e.event === "error") fail(`The answer stream ended with an error: ${e.data.code}: ${e.data.message}`);
        if (e.event === "final") final = e.data;
      }
    } catch (err) {
      if (err instanceof Failure) throw err;
      fail(`Asking failed: ${(err as Error).message}`);
    }
    this.seen.push({ url: "POST /api/chat", status: 200, body: JSON.stringify(final) });
    if (!final) fail(`The answer stream ended without a final event (events: ${events.join(", ")}).`);
    const summary = {
      status: final.status,
      citations: final.citations.length,
      citedDocument: final.citations.some((c) => c.documentId === documentId),
      answer: final.answer,
    };
    if (final.status !== "complete") fail(`The answer did not complete: ${final.status}.`);
    if (final.citations.length === 0) fail(`The answer cites nothing: ${JSON.stringify(final.answer)}.`);
    if (!summary.citedDocument) fail("The answer does not cite the uploaded document.");
    return summary;
  }
}

/** Stops a server started in its own process group, the whole tree with it. */
export async function stopProcessGroup(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null || server.pid === undefined) return;
  const exited = new Promise((r) => server.once("exit", r));
  process.kill(-server.pid, "SIGTERM");
  const timer = setTimeout(() => process.kill(-server.pid!, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
