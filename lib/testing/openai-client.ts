import type { GenerationRequest, SamplingSettings } from "@/lib/models/generator";
import type { connectOpenAiGenerator } from "@/lib/models/openai-generator";

// What the openai generator's tests share: the bearer token their servers require, sampling
// settings, a request, the generator's options, and a poll for what happens on the far side.

export const TOKEN = "test-token-0123456789abcdef";
export const SAMPLING: SamplingSettings = { temperature: 0, topP: 0.9, topK: 40, maxTokens: 48, seed: 7 };

export function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    system: "You tell short stories for children.",
    history: [
      { role: "user", content: "Hello." },
      { role: "assistant", content: "Once upon a time." },
    ],
    question: "Tell me a story about a little cat.",
    passages: [],
    ...overrides,
  };
}

export function options(baseUrl: string, overrides: Partial<Parameters<typeof connectOpenAiGenerator>[0]> = {}) {
  return {
    baseUrl,
    apiKey: TOKEN,
    parallel: 2,
    maxQueue: 1,
    contextSize: 8192,
    sampling: SAMPLING,
    timeoutMs: 10_000,
    ...overrides,
  };
}

export async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}
