import type { APIRequestContext, APIResponse } from "@playwright/test";

export function bearer(key: string) {
  return { Authorization: `Bearer ${key}` };
}

/** Every JSON body seen by a test, so a test can assert over all of them. */
export const seenBodies: { url: string; status: number; body: string }[] = [];

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
  seenBodies.push({ url: `${method} ${url}`, status: res.status(), body: text });
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
