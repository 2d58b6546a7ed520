import "server-only";
import os from "node:os";
import type { Llama } from "node-llama-cpp";
import { log } from "@/lib/log";

// One llama.cpp runtime per process, shared by the GGUF embedder and the generator: each
// runtime owns native threads and GPU state, and two would compete for both.

const RUNTIME = Symbol.for("knowledge-qa.llama-runtime");
type Holder = { [RUNTIME]?: Promise<Llama> };

/**
 * Threads for llama.cpp when the caller does not say. node-llama-cpp's own default is at least 4,
 * which on a 2-core machine oversubscribes the CPU and runs orders of magnitude slower.
 */
export function defaultLlamaThreads(): number {
  return Math.max(1, os.availableParallelism());
}

export function getLlamaRuntime(): Promise<Llama> {
  const holder = globalThis as Holder;
  if (!holder[RUNTIME]) {
    const pending = (async () => {
      const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
      // build "never" + skipDownload: use the prebuilt binaries only; nothing is fetched or compiled
      // at run time. gpu "auto" picks CUDA/Vulkan/Metal when a usable one is present, else CPU.
      return getLlama({
        gpu: "auto",
        build: "never",
        skipDownload: true,
        progressLogs: false,
        maxThreads: defaultLlamaThreads(),
        logLevel: LlamaLogLevel.warn,
        logger: (level, message) => {
          const text = message.trim();
          if (!text) return;
          if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) log.error("llama.cpp", { message: text });
          else if (level === LlamaLogLevel.warn) log.warn("llama.cpp", { message: text });
          else log.debug("llama.cpp", { message: text });
        },
      });
    })();
    holder[RUNTIME] = pending;
    pending.catch(() => {
      if (holder[RUNTIME] === pending) delete holder[RUNTIME];
    });
  }
  return holder[RUNTIME];
}
