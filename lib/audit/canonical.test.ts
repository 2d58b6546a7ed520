import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical";
import { questionAnsweredEvent } from "./fixtures";

// The chain's bytes must not change with the faster canonicaliser: every event ever hashed has
// to hash the same again, so it is compared with the reference implementation it replaces.

const odd = {
  é: 1,
  a: [1, -0, 1e21, 1.5e-7, 0.1 + 0.2, null, true, false, "x\u2028y", '\u0000\u001f"\\'],
  Z: { nested: { deeper: [{}, [], ""] }, skip: undefined },
  "\ud83d\ude00": "emoji key",
  "10": "numeric key",
  "2": "another",
  list: [undefined, 3],
  big: Number.MAX_SAFE_INTEGER,
  neg: -123.456,
};

describe("canonicalJson", () => {
  it("writes the same bytes as the canonicalize package", () => {
    const event = questionAnsweredEvent({
      asker: { id: "u1", email: "ana@example.org" },
      collections: [{ id: "c1", name: "Clinical" }],
      passages: [{ documentId: "d1", versionId: "v1", title: "Hygiene", text: "Wash for 40 s. «Ünïcödé»" }],
    });
    for (const value of [odd, event, [odd, event], "plain", 0, null, [], {}]) {
      expect(canonicalJson(value)).toBe(canonicalize(value));
    }
    // Values that are not plain JSON take the reference path and still agree.
    const withDate = { at: new Date(0), n: 1 };
    expect(canonicalJson(withDate)).toBe(canonicalize(withDate));
  });

  it("refuses what RFC 8785 has no form for, as before", () => {
    expect(() => canonicalJson({ s: "\ud800" })).toThrow("Lone surrogate is not allowed");
    expect(() => canonicalJson({ ["\udc00"]: 1 })).toThrow("Lone surrogate is not allowed");
    expect(() => canonicalJson({ n: Number.NaN })).toThrow("NaN is not allowed");
    expect(() => canonicalJson([Infinity])).toThrow("Infinity is not allowed");
    expect(() => canonicalJson(undefined)).toThrow("A value with no JSON form cannot be canonicalised.");
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow("Circular reference detected");
  });
});
