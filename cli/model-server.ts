import { readFile } from "node:fs/promises";
import { AppError } from "@/lib/errors";

// `cli model-server --model FILE.gguf`: serves one GGUF over an OpenAI-compatible API until
// SIGINT/SIGTERM. It needs no database and no app configuration: a GPU node runs only this.

export interface ModelServerCommandOptions {
  model: string;
  host: string;
  port: string;
  parallel: string;
  queue: string;
  tokenFile?: string;
  threads?: string;
  contextSize: string;
  maxTokens: string;
  gpu: string;
}

function whole(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new AppError("invalid_request", `${name} must be a whole number from ${min} to ${max} (got ${value}).`);
  return n;
}

async function readToken(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new AppError(
      "invalid_request",
      `--token-file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
    );
  }
  const token = text.trim();
  if (token.length < 16 || /\s/.test(token))
    throw new AppError("invalid_request", `--token-file ${file} must hold one token of at least 16 characters.`);
  return token;
}

export async function runModelServerCommand(
  opts: ModelServerCommandOptions,
  print: (line: string) => void,
): Promise<void> {
  if (opts.gpu !== "auto" && opts.gpu !== "off") throw new AppError("invalid_request", "--gpu must be auto or off.");
  const settings = {
    modelPath: opts.model,
    host: opts.host,
    port: whole("--port", opts.port, 0, 65535),
    parallel: whole("--parallel", opts.parallel, 1, 64),
    maxQueue: whole("--queue", opts.queue, 0, 10_000),
    token: opts.tokenFile ? await readToken(opts.tokenFile) : null,
    contextSize: whole("--context-size", opts.contextSize, 512, 1_048_576),
    threads: opts.threads ? whole("--threads", opts.threads, 1, 256) : undefined,
    gpu: opts.gpu as "auto" | "off",
    sampling: {
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      maxTokens: whole("--max-tokens", opts.maxTokens, 16, 131_072),
      seed: null,
    },
  };
  const loopback = ["127.0.0.1", "::1", "localhost"].includes(settings.host);
  if (!settings.token && !loopback)
    print(`warning: listening on ${settings.host} without --token-file: anyone who reaches the port can generate.`);
  const { startModelServer } = await import("@/lib/models/model-server");
  const server = await startModelServer(settings);
  const id = server.generator.identity();
  print(
    `Serving ${id.modelFile} (sha256 ${id.modelSha256}) at ${server.url} on ${id.gpu ? id.gpu.toUpperCase() : `CPU, ${id.threads} threads`}; ` +
      `${settings.parallel} at once, ${settings.maxQueue} waiting, context ${id.contextSize}${settings.token ? ", bearer token required" : ""}. Stop with Ctrl-C.`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  print("Stopping the model server…");
  await server.close();
}
