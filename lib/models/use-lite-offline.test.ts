import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";

// Runs in its own process (Vitest forks per file), so the model and the TensorFlow.js backend
// are loaded here for the first time, entirely under the stubs. The embedder runs the same
// loading code (use-lite-model.mjs) in a worker thread, where these stubs cannot reach, so the
// loading code is exercised here directly.

describe("USE-lite offline", () => {
  const originalFetch = globalThis.fetch;
  afterEach(() => {
    vi.restoreAllMocks();
    globalThis.fetch = originalFetch;
  });

  it("loads and embeds with every network path replaced by a throwing stub", async () => {
    const attempts: string[] = [];
    const refuse =
      (what: string) =>
      (...args: unknown[]) => {
        attempts.push(`${what} ${String(args[0]).slice(0, 80)}`);
        throw new Error(`network access attempted: ${what}`);
      };
    globalThis.fetch = refuse("fetch") as typeof fetch;
    vi.spyOn(http, "request").mockImplementation(refuse("http.request") as never);
    vi.spyOn(http, "get").mockImplementation(refuse("http.get") as never);
    vi.spyOn(https, "request").mockImplementation(refuse("https.request") as never);
    vi.spyOn(https, "get").mockImplementation(refuse("https.get") as never);
    vi.spyOn(net, "connect").mockImplementation(refuse("net.connect") as never);
    vi.spyOn(net, "createConnection").mockImplementation(refuse("net.createConnection") as never);
    vi.spyOn(net.Socket.prototype, "connect").mockImplementation(refuse("net.Socket.connect") as never);
    vi.spyOn(dns, "lookup").mockImplementation(refuse("dns.lookup") as never);

    const { embedFlat, loadUseLiteModel } = await import("./use-lite-model.mjs");
    const model = await loadUseLiteModel();
    const v = await embedFlat(model, ["Loaded from the package folder, not from tfhub.dev."]);
    expect(v).toHaveLength(512);
    // Asserted separately: a library could catch the stub's error and fall back silently.
    expect(attempts).toEqual([]);
    model.model.dispose();
  });
});
