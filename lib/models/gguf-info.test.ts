import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGgufInfo, quantizationName } from "./gguf-info";
import { loadLlamaGenerator } from "./llama-generator";

// What the model identity records from a GGUF file's header, and how damaged files are refused.

const MODELS = path.resolve(__dirname, "../../../shared/models");
const STORIES = path.join(MODELS, "stories260K.gguf");
const TINY_RANDOM = path.join(MODELS, "llama-2-tiny-random.gguf");

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "gguf-info-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("GGUF metadata", () => {
  it("reads architecture, name, trained context and parameter count; infers the quantization from the tensors", async () => {
    expect(await readGgufInfo(STORIES)).toEqual({
      architecture: "llama",
      quantization: "F32",
      quantizationSource: "tensors",
      trainContextSize: 2048,
      modelName: "llama",
      sizeLabel: null,
      parameterCount: 292_800,
    });
  });

  it("names the quantization from general.file_type", async () => {
    expect(await readGgufInfo(TINY_RANDOM)).toMatchObject({
      architecture: "llama",
      quantization: "F16",
      quantizationSource: "file_type",
      modelName: "LLaMA v2",
      trainContextSize: 4096,
    });
    expect(await quantizationName(15)).toBe("Q4_K_M");
    expect(await quantizationName(0)).toBe("F32");
    expect(await quantizationName(7)).toBe("Q8_0");
    expect(await quantizationName(9999)).toBeNull();
  });

  it("refuses damaged and incomplete GGUF files promptly instead of hanging on them", async () => {
    const garbled = path.join(tmp, "garbled.gguf");
    await writeFile(garbled, "GGUF but not really a model, only text");
    await expect(readGgufInfo(garbled)).rejects.toThrow(
      `The model file ${garbled} is not a readable GGUF model: GGUF version`,
    );

    const whole = await readFile(STORIES);
    const headerOnly = path.join(tmp, "header-cut.gguf");
    await writeFile(headerOnly, whole.subarray(0, 200));
    await expect(readGgufInfo(headerOnly)).rejects.toThrow(/more than 200 bytes can hold \(damaged or incomplete\)/);

    const weightsCut = path.join(tmp, "weights-cut.gguf");
    await writeFile(weightsCut, whole.subarray(0, 200_000));
    await expect(readGgufInfo(weightsCut)).rejects.toThrow(
      `The model file ${weightsCut} is not a readable GGUF model: it is incomplete`,
    );
    await expect(
      loadLlamaGenerator({
        modelPath: weightsCut,
        parallel: 1,
        maxQueue: 0,
        contextSize: 1024,
        threads: 1,
        sampling: { temperature: 0, topP: 0.9, topK: 40, maxTokens: 48, seed: 7 },
      }),
    ).rejects.toThrow("it is incomplete: its weights extend past the end of the file (200000 bytes)");
  });

  it("refuses a text file with a message naming it", async () => {
    const junk = path.join(tmp, "readme.gguf");
    await writeFile(junk, "hello");
    await expect(readGgufInfo(junk)).rejects.toThrow(`The model file ${junk} is not a readable GGUF model`);
  });
});
