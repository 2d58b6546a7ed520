import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext, APIResponse } from "@playwright/test";
import { e2e } from "./env";

export function bearer(key: string) {
  return { Authorization: `Bearer ${key}` };
}

export interface SeenResponse {
  url: string;
  status: number;
  body: string;
}

/**
 * Every API response any spec saw, appended to one file for the run, so that the last project
 * (api-coverage.spec.ts) can check all of them for secrets and that every route was called.
 */
export function seenLogPath(): string {
  return path.join(e2e.dataDir, "..", `${path.basename(e2e.dataDir)}-api-seen.jsonl`);
}

export function recordSeen(entry: SeenResponse): void {
  fs.appendFileSync(seenLogPath(), JSON.stringify(entry) + "\n");
}

export function readSeen(): SeenResponse[] {
  if (!fs.existsSync(seenLogPath())) return [];
  return fs
    .readFileSync(seenLogPath(), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SeenResponse);
}

/** Keys created during the run, so their hashes can be searched for in every response. */
export function recordKey(key: string): void {
  fs.appendFileSync(`${seenLogPath()}.keys`, key + "\n");
}

export function readKeys(): string[] {
  const file = `${seenLogPath()}.keys`;
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

export async function call(
  request: APIRequestContext,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  url: string,
  options: { key?: string; data?: unknown; headers?: Record<string, string> } = {},
): Promise<{ res: APIResponse; json: unknown }> {
  const res = await request.fetch(url, {
    method,
    headers: { ...(options.key ? bearer(options.key) : {}), ...options.headers },
    data: options.data,
  });
  const text = await res.text();
  recordSeen({ url: `${method} ${url}`, status: res.status(), body: text });
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${url} answered ${res.status()} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }
  return { res, json };
}
