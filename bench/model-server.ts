// npm run bench:model-server [-- --model FILE.gguf] [--runs N] [--max-tokens N] [--threads N] [--parallel N]
// Answer latency and tokens/s with the same GGUF two ways: the in-process llama generator, and the
// openai generator through `cli model-server` started as its own process on this machine (HTTP
// on loopback, the bearer token, the same sampling, seed and prompt). The server's runs go first,
// then the in-process ones, each after one warm-up. Figures per path (medians over the runs):
//   first token   time from run() to the first streamed piece
//   total         time from run() to the last piece
//   tokens/s      completion tokens / total
// and the ratio (server / in-process). With a tiny fixture model the ratio is dominated by the
// per-request costs (HTTP, a fresh chat session on each side); with a real model it approaches 1.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { GenerationRequest, GenerationResult, Generator, SamplingSettings } from "@/lib/models/generator";
import { loadLlamaGenerator, type LlamaGenerator } from "@/lib/models/llama-generator";
import { connectOpenAiGenerator } from "@/lib/models/openai-generator";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: path.resolve(process.cwd(), "../shared/models/stories260K.gguf") },
    runs: { type: "string", default: "10" },
    "max-tokens": { type: "string", default: "128" },
    threads: { type: "string", default: "1" },
    port: { type: "string", default: "18391" },
  },
});

const runs = Number(values.runs);
const maxTokens = Number(values["max-tokens"]);
const threads = Number(values.threads);
const sampling: SamplingSettings = { temperature: 0, topP: 0.9, topK: 40, maxTokens, seed: 42 };

// A prompt shaped like the app's: instructions and numbered passages in the system prompt.
const passages = Array.from(
  { length: 4 },
  (_, i) =>
    `[${i + 1}] Hand hygiene protocol, section ${i + 1}: rub an alcohol-based hand rub over all surfaces of both hands for twenty to thirty seconds, until the hands are dry.`,
).join("\n");
const request = (): GenerationRequest => ({
  system: `Answer only from the numbered passages below and cite them as [n].\n<passages>\n${passages}\n</passages>`,
  history: [],
  question: "For how many seconds should I rub alcohol-based hand rub over my hands?",
  passages: [],
});

interface Sample {
  firstMs: number;
  totalMs: number;
  tokens: number;
}

async function once(g: Generator): Promise<Sample> {
  const started = performance.now();
  let first: number | null = null;
  const r: GenerationResult = await g.reserve().run({ ...request(), onToken: () => (first ??= performance.now()) });
  const totalMs = performance.now() - started;
  return { firstMs: (first ?? performance.now()) - started, totalMs, tokens: r.tokens };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function summary(samples: Sample[]) {
  return {
    firstTokenMs: median(samples.map((s) => s.firstMs)),
    totalMs: median(samples.map((s) => s.totalMs)),
    tokens: median(samples.map((s) => s.tokens)),
    tokensPerSecond: median(samples.map((s) => s.tokens / (s.totalMs / 1000))),
  };
}

async function startServerProcess(tokenFile: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      "--conditions=react-server",
      "--import",
      "tsx",
      "cli/main.ts",
      "model-server",
      "--model",
      values.model,
      "--port",
      values.port,
      "--parallel",
      "1",
      "--threads",
      String(threads),
      "--max-tokens",
      String(Math.max(maxTokens, 16)),
      "--token-file",
      tokenFile,
      "--gpu",
      "off",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = / at (http:\/\/\S+\/v1) /.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`model-server exited with ${code} before it served: ${out}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kq-bench-model-server-"));
  const tokenFile = path.join(dir, "token");
  const token = `bench-${Math.random().toString(36).slice(2)}-token`;
  writeFileSync(tokenFile, token, { mode: 0o600 });
  const server = await startServerProcess(tokenFile);
  const remote = await connectOpenAiGenerator({
    baseUrl: server.url,
    apiKey: token,
    parallel: 1,
    maxQueue: 0,
    contextSize: 8192,
    sampling,
    timeoutMs: 60_000,
  });
  let inProcess: LlamaGenerator | null = null;
  try {
    // The server's runs first, before this process loads a model of its own: a loaded context
    // here would compete with the server process for the same cores.
    await once(remote);
    const served: Sample[] = [];
    for (let i = 0; i < runs; i++) served.push(await once(remote));
    inProcess = await loadLlamaGenerator({
      modelPath: values.model,
      parallel: 1,
      maxQueue: 0,
      contextSize: 8192,
      threads,
      gpu: "off",
      sampling,
    });
    // One warm-up each: the first evaluation pays for buffers and caches.
    await once(inProcess);
    const local: Sample[] = [];
    for (let i = 0; i < runs; i++) local.push(await once(inProcess));
    const a = summary(local);
    const b = summary(served);
    const round = (n: number) => Math.round(n * 10) / 10;
    console.log(
      JSON.stringify(
        {
          model: path.basename(values.model),
          sha256: remote.identity().modelSha256,
          runs,
          maxTokens,
          threads,
          cpus: os.availableParallelism(),
          inProcess: Object.fromEntries(Object.entries(a).map(([k, v]) => [k, round(v)])),
          modelServer: Object.fromEntries(Object.entries(b).map(([k, v]) => [k, round(v)])),
          ratio: {
            firstToken: round(b.firstTokenMs / a.firstTokenMs),
            total: round(b.totalMs / a.totalMs),
            tokensPerSecond: Math.round((b.tokensPerSecond / a.tokensPerSecond) * 100) / 100,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    await remote.close();
    await inProcess?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
