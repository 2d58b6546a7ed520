import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppError } from "@/lib/errors";
import { options, request, TOKEN, until } from "@/lib/testing/openai-client";
import { startProtocolServer, PROTOCOL_SERVER_MODEL, type ProtocolServer } from "@/lib/testing/openai-protocol-server";
import { connectOpenAiGenerator, type OpenAiGenerator } from "./openai-generator";

// The openai generator against a second implementation of the protocol, shaped like vLLM, that
// plays back what a real server does: no sha256 of its own, 429 and 503, a stream that stalls or
// breaks off, a server that cannot be reached.

describe("openai generator against a vLLM-shaped server", () => {
  let upstream: ProtocolServer;
  let vllm: OpenAiGenerator;
  const declared = "cd".repeat(32);

  beforeAll(async () => {
    upstream = await startProtocolServer({ token: TOKEN, maxModelLen: 4096 });
    vllm = await connectOpenAiGenerator(options(upstream.url, { declaredSha256: declared, timeoutMs: 500 }));
  });
  afterAll(async () => {
    await vllm?.close();
    await upstream?.close();
  });

  it("uses the declared sha256 when the server reports none, and the server's context length", () => {
    expect(vllm.identity()).toMatchObject({
      kind: "openai",
      modelId: PROTOCOL_SERVER_MODEL,
      modelFile: PROTOCOL_SERVER_MODEL,
      modelSha256: declared,
      sha256Source: "declared",
      contextSize: 4096,
      server: upstream.url,
    });
  });

  it("sends the prompt as OpenAI messages with the token and the sampling settings, and reads the stream", async () => {
    upstream.script({ kind: "answer", pieces: ["The ", "answer ", "[1]."] });
    const pieces: string[] = [];
    const result = await vllm.reserve().run(request({ onToken: (t) => pieces.push(t) }));
    expect(result).toMatchObject({ text: "The answer [1].", finishReason: "stop", tokens: 3 });
    expect(pieces).toEqual(["The ", "answer ", "[1]."]);
    const sent = upstream.requests.at(-1)!;
    expect(sent.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.body).toEqual({
      model: PROTOCOL_SERVER_MODEL,
      messages: [
        { role: "system", content: "You tell short stories for children." },
        { role: "user", content: "Hello." },
        { role: "assistant", content: "Once upon a time." },
        { role: "user", content: "Tell me a story about a little cat." },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 48,
      temperature: 0,
      top_p: 0.9,
      top_k: 40,
      seed: 7,
    });
  });

  it("reports an answer cut at max_tokens as length", async () => {
    upstream.script({ kind: "answer", pieces: ["a", "b"], finishReason: "length" });
    expect((await vllm.reserve().run(request())).finishReason).toBe("length");
  });

  it("turns 429 and 503 into answers that say the server is busy or unavailable", async () => {
    upstream.script(
      {
        kind: "status",
        status: 429,
        headers: { "retry-after": "7" },
        body: { error: { message: "Too many requests", type: "rate_limit", code: 429 } },
      },
      { kind: "status", status: 503, body: { error: { message: "model is loading", type: "unavailable", code: 503 } } },
    );
    const busy = (await vllm
      .reserve()
      .run(request())
      .catch((err: unknown) => err)) as AppError;
    expect(busy.code).toBe("rate_limited");
    expect(busy.message).toBe(
      "The model server is busy with other answers. Try again in 7 s. It said: Too many requests",
    );
    expect(busy.headers).toEqual({ "retry-after": "7" });

    const down = (await vllm
      .reserve()
      .run(request())
      .catch((err: unknown) => err)) as AppError;
    expect(down.code).toBe("unavailable");
    expect(down.expose).toBe(true);
    expect(down.toJSON().error.message).toBe(
      `The model server at ${upstream.url} is unavailable (HTTP 503). Try again later. It said: model is loading`,
    );
    // The queue place is given back after a failure: the generator is not left full.
    expect(vllm.status().active + vllm.status().queued).toBe(0);
  });

  it("times out a server that stops sending, and hangs up on it", async () => {
    upstream.script({ kind: "stall-after", pieces: ["Half"] });
    const pieces: string[] = [];
    const started = performance.now();
    const err = (await vllm
      .reserve()
      .run(request({ onToken: (t) => pieces.push(t) }))
      .catch((e: unknown) => e)) as AppError;
    expect(pieces).toEqual(["Half"]);
    expect(err.code).toBe("unavailable");
    expect(err.message).toBe(`The model server at ${upstream.url} sent nothing for 0.5 s; the answer was stopped.`);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await until(() => upstream.requests.at(-1)!.clientClosedEarly, 1000)).toBe(true);

    upstream.script({ kind: "stall-before-headers" });
    const silent = (await vllm
      .reserve()
      .run(request())
      .catch((e: unknown) => e)) as AppError;
    expect(silent.message).toMatch(/sent nothing for 0.5 s/);
  });

  it("reports an error the server sends mid-stream", async () => {
    upstream.script({ kind: "error-event", pieces: ["Partial"], message: "CUDA out of memory" });
    const err = (await vllm
      .reserve()
      .run(request())
      .catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe("unavailable");
    expect(err.message).toBe(`The model server at ${upstream.url} stopped with an error: CUDA out of memory`);
  });

  it("stops within a piece on the asker's stop and closes the upstream connection", async () => {
    upstream.script({ kind: "answer", pieces: Array.from({ length: 200 }, (_, i) => `w${i} `), delayMs: 5 });
    const stop = new AbortController();
    const pieces: string[] = [];
    const result = await vllm.reserve().run(
      request({
        signal: stop.signal,
        onToken: (t) => {
          pieces.push(t);
          if (pieces.length === 5) stop.abort();
        },
      }),
    );
    expect(result.finishReason).toBe("abort");
    expect(pieces.length).toBe(5);
    expect(await until(() => upstream.requests.at(-1)!.clientClosedEarly, 1000)).toBe(true);
  });

  it("names the server when it cannot be reached at all", async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = (await connectOpenAiGenerator(options(`http://127.0.0.1:${port}/v1`)).catch(
      (e: unknown) => e,
    )) as AppError;
    expect(err.message).toBe(`The model server at http://127.0.0.1:${port}/v1 cannot be reached (ECONNREFUSED).`);
  });
});
