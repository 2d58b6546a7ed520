import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Embedder } from "./embedder";
import { createEmbedder } from "./embedder";
import { createExtractiveGenerator, EXTRACTIVE_LABEL, EXTRACTIVE_NOTHING } from "./extractive-generator";
import { selectSentences, splitSentences, withCitation } from "./extractive-select";
import { QueueFullError, type GenerationRequest, type PromptPassage } from "./generator";

// Real policy text (Datica HIPAA policies, CC BY-SA 4.0), one section per passage, numbered the
// way the prompt builder numbers retrieved passages.
const POLICIES = path.resolve(__dirname, "../../../shared/data/regdocs/datica-hipaa-policies-md");

function section(file: string, heading: string): string {
  const text = readFileSync(path.join(POLICIES, file), "utf8");
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`${heading} not found in ${file}`);
  const end = text.indexOf("\n#", start + heading.length);
  return text.slice(start + heading.length, end < 0 ? undefined : end).trim();
}

const RETENTION: PromptPassage = {
  n: 3,
  text: section("18-data_retention_policy.md", "## 18.2 Data Retention Policy"),
  title: "Data Retention Policy",
  headingPath: "18.2 Data Retention Policy",
  pageStart: null,
};
const EMPLOYEES: PromptPassage = {
  n: 5,
  text: section("19-employees_policy.md", "## 19.2 Employment Policies"),
  title: "Employees Policy",
  headingPath: "19.2 Employment Policies",
  pageStart: null,
};
const ACCESS: PromptPassage = {
  n: 8,
  text: section("07-systems_access_policy.md", "## 7.2 Access Establishment and Modification"),
  title: "System Access Policy",
  headingPath: "7.2 Access Establishment and Modification",
  pageStart: null,
};
const PASSAGES = [RETENTION, EMPLOYEES, ACCESS];

const TRAINING_QUESTION = "Within how many days must new workforce members receive security training?";

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    system: "(unused by the extractive generator)",
    history: [],
    question: TRAINING_QUESTION,
    passages: PASSAGES,
    ...overrides,
  };
}

/** The quoted lines of an answer: everything after the label and the blank line. */
function quotedLines(text: string): string[] {
  const [label, blank, ...rest] = text.split("\n");
  expect(label).toBe(EXTRACTIVE_LABEL);
  expect(blank).toBe("");
  return rest;
}

function citations(text: string): number[] {
  return [...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
}

const normalise = (s: string) => s.replace(/\s+/g, " ").trim();

let embedder: Embedder | undefined;
afterAll(async () => {
  await embedder?.close();
});

describe("extractive generator", () => {
  it("quotes the sentence that answers the question and cites its passage's number", async () => {
    const g = createExtractiveGenerator({ parallel: 2, maxQueue: 2 });
    const result = await g.reserve().run(request());
    expect(result.finishReason).toBe("stop");
    const lines = quotedLines(result.text);
    expect(lines).toContain(
      "All new workforce members, including contractors, are given training on security policies and procedures, including operations security, within 30 days of employment [5].",
    );
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(4);
  });

  it("answers different questions from different passages, quoting them word for word", async () => {
    const g = createExtractiveGenerator({ parallel: 1, maxQueue: 0 });
    const cases = [
      {
        question: "How must user identities be verified for new accounts?",
        cited: 8,
        words: "User identities must be verified prior to granting access to new accounts",
      },
      {
        question: "Can mobile devices connect to the production networks?",
        cited: 5,
        words: "Datica does not allow mobile devices to connect to any of its production networks",
      },
      {
        question: "How long is a former customer's data kept before it is removed?",
        cited: 3,
        words: "within 30 days, Datica removes data from Datica systems",
      },
    ];
    for (const c of cases) {
      const result = await g.reserve().run(request({ question: c.question }));
      const lines = quotedLines(result.text);
      const line = lines.find((l) => l.includes(c.words));
      expect(line, `${c.question}\n${result.text}`).toBeDefined();
      expect(citations(line!)).toEqual([c.cited]);
      // Every quote is verbatim from the passage it cites.
      for (const l of lines) {
        const [n] = citations(l);
        const passage = PASSAGES.find((p) => p.n === n)!;
        const quote = normalise(l.replace(/ \[\d+\]/, "")).replace(/[.…]$/, "");
        expect(normalise(passage.text)).toContain(quote);
      }
    }
  });

  it("never cites a number it was not given", async () => {
    const g = createExtractiveGenerator({ parallel: 1, maxQueue: 0 });
    for (const question of [
      TRAINING_QUESTION,
      "What is the sanction policy?",
      "Tell me everything about access.",
      "?",
    ]) {
      const result = await g.reserve().run(request({ question }));
      for (const n of citations(result.text)) expect([3, 5, 8]).toContain(n);
    }
  });

  it("quotes a sentence found in two passages once", async () => {
    const g = createExtractiveGenerator({ parallel: 1, maxQueue: 0 });
    const copy = { ...EMPLOYEES, n: 9 };
    const result = await g.reserve().run(request({ passages: [EMPLOYEES, copy, RETENTION] }));
    const lines = quotedLines(result.text);
    expect(lines.filter((l) => l.includes("within 30 days of employment"))).toHaveLength(1);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it("with no passages, or nothing quotable, says so and cites nothing", async () => {
    const g = createExtractiveGenerator({ parallel: 1, maxQueue: 0 });
    const none = await g.reserve().run(request({ passages: [] }));
    expect(none).toMatchObject({ text: EXTRACTIVE_NOTHING, finishReason: "stop" });
    const headingsOnly = await g
      .reserve()
      .run(request({ passages: [{ ...ACCESS, text: "## 7.3 Workforce Clearance\n\n* 01.d - Password Use" }] }));
    expect(headingsOnly.text).toBe(EXTRACTIVE_NOTHING);
    expect(citations(headingsOnly.text)).toEqual([]);
  });

  it("streams the answer in small pieces; the pieces make up the text", async () => {
    const g = createExtractiveGenerator({ parallel: 1, maxQueue: 0 });
    const pieces: string[] = [];
    let settled = false;
    let beforeSettled = 0;
    const result = await g
      .reserve()
      .run(request({ onToken: (t) => (pieces.push(t), settled || beforeSettled++) }))
      .finally(() => (settled = true));
    expect(beforeSettled).toBeGreaterThan(20);
    expect(pieces.join("")).toBe(result.text);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(40);
    expect(result.tokens).toBe(pieces.length);
    expect(result.timings.firstTokenMs).not.toBeNull();
  });

  it("stops when aborted and returns what was streamed", async () => {
    const g = createExtractiveGenerator({ parallel: 1, maxQueue: 0 });
    const full = (await g.reserve().run(request())).text;
    const controller = new AbortController();
    const pieces: string[] = [];
    const result = await g.reserve().run(
      request({
        signal: controller.signal,
        onToken: (t) => {
          pieces.push(t);
          if (pieces.length === 5) controller.abort();
        },
      }),
    );
    expect(result.finishReason).toBe("abort");
    expect(pieces).toHaveLength(5);
    expect(result.text).toBe(pieces.join(""));
    expect(full.startsWith(result.text)).toBe(true);
    expect(result.text.length).toBeLessThan(full.length);
    expect(g.status()).toMatchObject({ active: 0, queued: 0 });
  });

  it("goes through the bounded queue: full → QueueFullError; an abort while waiting never starts", async () => {
    const g = createExtractiveGenerator({ parallel: 1, maxQueue: 1 });
    const first = g.reserve().run(request());
    const controller = new AbortController();
    const tokens: string[] = [];
    const second = g.reserve().run(request({ signal: controller.signal, onToken: (t) => tokens.push(t) }));
    expect(() => g.reserve()).toThrow(QueueFullError);
    expect(g.status()).toMatchObject({ kind: "extractive", active: 1, queued: 1, parallel: 1, maxQueue: 1 });
    controller.abort();
    expect(await second).toMatchObject({ text: "", finishReason: "abort", tokens: 0 });
    expect(tokens).toEqual([]);
    expect((await first).finishReason).toBe("stop");
    const place = g.reserve();
    place.release();
    expect(g.status()).toMatchObject({ active: 0, queued: 0 });
  });

  it("identifies itself as extractive with no model fields", () => {
    const g = createExtractiveGenerator({ parallel: 2, maxQueue: 8 });
    expect(g.kind).toBe("extractive");
    expect(g.identity()).toEqual({
      kind: "extractive",
      modelFile: null,
      modelBytes: null,
      modelSha256: null,
      architecture: null,
      quantization: null,
      contextSize: null,
      gpu: null,
      threads: null,
      sampling: null,
    });
    expect(g.countTokens("one two three four")).toBeGreaterThanOrEqual(4);
    expect(g.promptBudget()).toBeGreaterThan(1000);
  });

  it("combines lexical coverage with the real embedder's sentence similarity when given one", async () => {
    embedder = await createEmbedder({});
    const g = createExtractiveGenerator({ parallel: 1, maxQueue: 0, embedder });
    const result = await g
      .reserve()
      .run(request({ question: "Are phones and tablets allowed on the production network?" }));
    const lines = quotedLines(result.text);
    // The embedder's path runs end to end (question and sentences embedded in its worker) and the
    // combined score still finds the sentence and cites the right passage.
    expect(
      lines.some((l) =>
        l.startsWith("Datica does not allow mobile devices to connect to any of its production networks [5]"),
      ),
    ).toBe(true);
    for (const n of citations(result.text)) expect([3, 5, 8]).toContain(n);
  });
});

describe("sentence selection", () => {
  it("splits lines, list items and sentences, keeping abbreviations inside their sentence", () => {
    expect(
      splitSentences(
        "## 7.2 Access\n\n1. Requests are made formally. Dr. Smith approves them, e.g. weekly.\n   * Identity is verified in person.",
      ),
    ).toEqual([
      "7.2 Access",
      "Requests are made formally.",
      "Dr. Smith approves them, e.g. weekly.",
      "Identity is verified in person.",
    ]);
    expect(splitSentences("See § 164.312(a)(1). Version 2.5 applies!")).toEqual([
      "See § 164.312(a)(1).",
      "Version 2.5 applies!",
    ]);
  });

  it("puts the citation inside the sentence it supports", () => {
    expect(withCitation("Training happens within 30 days.", 2)).toBe("Training happens within 30 days [2].");
    expect(withCitation('It is called "the handbook."', 4)).toBe('It is called "the handbook [4]."');
    expect(withCitation("Records of training are kept for all workforce members", 1)).toBe(
      "Records of training are kept for all workforce members [1].",
    );
  });

  it("orders the quotes by passage and position, whatever their scores", () => {
    const picked = selectSentences("training records employment security policies", PASSAGES);
    const order = picked.map((s) => [PASSAGES.findIndex((p) => p.n === s.n), s.position]);
    expect(order).toEqual([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
  });

  it("skips headings and sentences that only introduce a list", () => {
    const texts = selectSentences("What steps follow when a customer ceases to be a customer?", [RETENTION]).map(
      (s) => s.text,
    );
    expect(texts.length).toBeGreaterThan(0);
    // "Once a Customer ceases to be a Customer, as defined below, the following steps are" leads into a list.
    expect(texts.some((t) => t.startsWith("Once a Customer ceases"))).toBe(false);
    const withHeading = selectSentences("access policy", [
      { ...ACCESS, text: `## 7.2 Access Policy\n\nThe following applies:\n${ACCESS.text}` },
    ]).map((s) => s.text);
    expect(withHeading).not.toContain("7.2 Access Policy");
    expect(withHeading).not.toContain("The following applies:");
  });
});
