import type { APIRequestContext } from "@playwright/test";
import { bearer, call, recordSeen } from "./api";

// Helpers for specs that ask questions over the HTTP API and set up collections to ask about.

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Splits a complete text/event-stream body into its events (comments and keepalives dropped). */
export function parseSse(body: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of body.split(/\n\n/)) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (data.length > 0)
      events.push({ event, data: data.join("\n") === "[DONE]" ? "[DONE]" : JSON.parse(data.join("\n")) });
  }
  return events;
}

export interface AskResult {
  status: number;
  headers: Record<string, string>;
  /** The raw body: what a leak check searches. */
  body: string;
  events: SseEvent[];
  final?: FinalData;
  error?: { code: string; message: string };
}

export interface CitationData {
  n: number;
  chunkId: string;
  documentId: string;
  versionId: string;
  versionNumber: number | null;
  versionSha256: string | null;
  title: string;
  headingPath: string;
  pageStart: number | null;
  charStart: number;
  charEnd: number;
  text: string;
  ocrConfidence?: number;
}

export interface FinalData {
  conversationId: string;
  messageId: string;
  answer: string;
  status: string;
  notCovered: boolean;
  citations: CitationData[];
  sentences: { text: string; citations: number[]; support: string }[];
  model: { kind: string; modelFile: string | null; modelSha256: string | null; embedderId: string };
  retrievedChunkIds: string[];
}

export async function ask(
  request: APIRequestContext,
  key: string,
  data: { message: string; conversationId?: string; collectionIds?: string[]; asOf?: string },
): Promise<AskResult> {
  const res = await request.post("/api/chat", {
    headers: { ...bearer(key), "content-type": "application/json" },
    data,
  });
  const body = await res.text();
  recordSeen({ url: "POST /api/chat", status: res.status(), body });
  const isStream = (res.headers()["content-type"] ?? "").startsWith("text/event-stream");
  const events = isStream ? parseSse(body) : [];
  const final = events.find((e) => e.event === "final")?.data as FinalData | undefined;
  const error = isStream
    ? (events.find((e) => e.event === "error")?.data as AskResult["error"])
    : (JSON.parse(body) as { error: AskResult["error"] }).error;
  return { status: res.status(), headers: res.headers(), body, events, final, error };
}

export async function uploadText(
  request: APIRequestContext,
  key: string,
  collectionId: string,
  name: string,
  text: string | Buffer,
  mimeType = "text/markdown",
  base = "",
) {
  const url = `${base}/api/collections/${collectionId}/documents`;
  const res = await request.post(url, {
    headers: bearer(key),
    multipart: { file: { name, mimeType, buffer: Buffer.isBuffer(text) ? text : Buffer.from(text) } },
  });
  const body = await res.text();
  recordSeen({ url: `POST ${url}`, status: res.status(), body });
  if (res.status() !== 202) throw new Error(`upload of ${name} answered ${res.status()}: ${body}`);
  const file = (JSON.parse(body) as { files: { documentId: string; jobId: string }[] }).files[0]!;
  return file;
}

export async function waitForJob(request: APIRequestContext, key: string, jobId: string, base = "") {
  for (let i = 0; i < 240; i++) {
    const { json } = await call(request, "GET", `${base}/api/jobs/${jobId}`, { key });
    const job = json as { status: string; error: string | null };
    if (job.status === "succeeded") return;
    if (job.status === "failed") throw new Error(`job ${jobId} failed: ${job.error}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`job ${jobId} did not finish`);
}

export async function createCollection(request: APIRequestContext, adminKey: string, name: string, base = "") {
  const { res, json } = await call(request, "POST", `${base}/api/collections`, {
    key: adminKey,
    data: { name, description: "" },
  });
  if (res.status() !== 201) throw new Error(`create collection answered ${res.status()}`);
  return (json as { id: string }).id;
}

export async function createGroup(
  request: APIRequestContext,
  adminKey: string,
  name: string,
  members: string[],
  base = "",
) {
  const { json } = await call(request, "POST", `${base}/api/groups`, { key: adminKey, data: { name } });
  const id = (json as { id: string }).id;
  for (const email of members)
    await call(request, "POST", `${base}/api/groups/${id}/members`, { key: adminKey, data: { email } });
  return id;
}

export async function createUser(
  request: APIRequestContext,
  adminKey: string,
  email: string,
  password: string,
  roles: string[] = ["employee"],
  base = "",
) {
  const { res } = await call(request, "POST", `${base}/api/users`, {
    key: adminKey,
    data: { email, name: email.split("@")[0], roles, password },
  });
  if (res.status() !== 201) throw new Error(`create user answered ${res.status()}`);
}
