import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { CHAIN_VERSION, canonicalJson, eventHash, GENESIS_HASH } from "./canonical";
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

  it("hashes an event over the same bytes as the reference canonical form of its fields", () => {
    const reference = (prev: string, fields: object) =>
      createHash("sha256")
        .update(prev + canonicalize({ v: CHAIN_VERSION, ...fields }))
        .digest("hex");
    const subject = { collectionId: null, documentId: "d1", userId: null, conversationId: "c9" };
    const base = { seq: 7, at: "2026-01-02T03:04:05.678Z", type: "document.uploaded", subject, contentSha256: null };
    const rows = [
      { ...base, actorId: "u1", actorEmail: "ana@example.org", payload: odd },
      { ...base, actorId: null, actorEmail: null, payload: {}, contentSha256: "ab".repeat(32) },
      // Fields a caller left undefined are dropped, as the reference does.
      {
        ...base,
        actorId: undefined,
        actorEmail: undefined,
        subject: { ...subject, userId: undefined },
        payload: { a: 1 },
      },
    ];
    for (const row of rows) {
      expect(eventHash(GENESIS_HASH, row as never)).toBe(reference(GENESIS_HASH, row));
      expect(eventHash("f".repeat(64), row as never)).toBe(reference("f".repeat(64), row));
    }
    expect(eventHash(GENESIS_HASH, rows[0] as never)).not.toBe(
      eventHash(GENESIS_HASH, { ...rows[0], seq: 8 } as never),
    );
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
