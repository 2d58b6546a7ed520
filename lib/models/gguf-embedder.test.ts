import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbedder, type Embedder } from "./embedder";
import { describeModelFile } from "./model-file";
import { dot } from "./vector-math";

// stories260K is a tiny llama, not an embedding model: these tests check the mechanics (loading,
// identity, dimension, normalisation, truncation), not the quality of the vectors.
const FIXTURE = path.resolve(__dirname, "../../../shared/models/stories260K.gguf");
const FIXTURE_SHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";

let embedder: Embedder;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "gguf-embedder-"));
  embedder = await createEmbedder({ modelPath: FIXTURE, threads: 1 });
});

afterAll(async () => {
  await embedder?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe("GGUF embedder", () => {
  it("records the file name and sha256 prefix in its id and takes its dimension from the model", () => {
    expect(embedder.id).toBe(`gguf:stories260K.gguf:${FIXTURE_SHA256.slice(0, 12)}`);
    expect(embedder.dim).toBe(64);
    expect(embedder.maxTokens).toBeGreaterThan(0);
    expect(embedder.maxTokens).toBeLessThanOrEqual(512);
  });

  it("is deterministic, normalised and distinguishes texts", async () => {
    const [a, b, c] = await embedder.embed([
      "Once upon a time there was a cat.",
      "Once upon a time there was a cat.",
      "The dog ran to the park.",
    ]);
    expect(a).toHaveLength(64);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(Math.abs(Math.sqrt(dot(a!, a!)) - 1)).toBeLessThan(1e-5);
    expect(Array.from(a!)).not.toEqual(Array.from(c!));
  });

  it("truncates input longer than its context instead of failing", async () => {
    const [v] = await embedder.embed(["the cat sat on the mat ".repeat(500)]);
    expect(Math.abs(Math.sqrt(dot(v!, v!)) - 1)).toBeLessThan(1e-5);
  });

  it("returns [] for no texts", async () => {
    expect(await embedder.embed([])).toEqual([]);
  });

  it("refuses a missing file with a message naming the path", async () => {
    const missing = path.join(tmp, "no-such-model.gguf");
    await expect(createEmbedder({ modelPath: missing, threads: 1 })).rejects.toThrow(
      `The model file ${missing} does not exist.`,
    );
  });

  it("refuses a file that is not a GGUF model, naming the path", async () => {
    const junk = path.join(tmp, "junk.gguf");
    await writeFile(junk, "not a model");
    await expect(createEmbedder({ modelPath: junk, threads: 1 })).rejects.toThrow(junk);
  });
});

describe("describeModelFile", () => {
  it("streams the sha256 and reports the size", async () => {
    const info = await describeModelFile(FIXTURE);
    expect(info).toMatchObject({ fileName: "stories260K.gguf", bytes: 1_185_376, sha256: FIXTURE_SHA256 });
  });

  it("refuses a directory", async () => {
    await expect(describeModelFile(tmp)).rejects.toThrow(`The model path ${tmp} is not a file.`);
  });
});
