import { describe, expect, it } from "vitest";
import { accessPredicate, EVERYONE_GROUP, InvalidIdError, normalizeId } from "./access-filter";
import { toMatchText } from "./fts-query";

const C1 = "11111111-1111-4111-8111-111111111111";
const C2 = "22222222-2222-4222-8222-222222222222";
const G1 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const ONLY_UNRESTRICTED = `array_has_any(restricted_to, make_array('${EVERYONE_GROUP}'))`;

describe("accessPredicate", () => {
  it("allows readable collections, unrestricted rows, and rows restricted to one of the caller's groups", () => {
    expect(accessPredicate({ collectionIds: [C1, C2], groupIds: [G1] })).toBe(
      `collection_id IN ('${C1}', '${C2}') AND array_has_any(restricted_to, make_array('${EVERYONE_GROUP}', '${G1}'))`,
    );
  });

  it("allows only unrestricted rows to a caller without groups", () => {
    expect(accessPredicate({ collectionIds: [C1], groupIds: [] })).toBe(
      `collection_id IN ('${C1}') AND ${ONLY_UNRESTRICTED}`,
    );
  });

  it("gives a caller claiming the reserved everyone id nothing more than unrestricted rows", () => {
    expect(accessPredicate({ collectionIds: [C1], groupIds: [EVERYONE_GROUP.toUpperCase()] })).toBe(
      `collection_id IN ('${C1}') AND ${ONLY_UNRESTRICTED}`,
    );
  });

  it("returns null when nothing is readable, including after narrowing", () => {
    expect(accessPredicate({ collectionIds: [], groupIds: [G1] })).toBeNull();
    expect(accessPredicate({ collectionIds: [C1], groupIds: [] }, [C2])).toBeNull();
    expect(accessPredicate({ collectionIds: [C1, C2], groupIds: [] }, [C2.toUpperCase()])).toBe(
      `collection_id IN ('${C2}') AND ${ONLY_UNRESTRICTED}`,
    );
  });

  it("lower-cases and de-duplicates ids", () => {
    expect(accessPredicate({ collectionIds: [C1.toUpperCase(), C1], groupIds: [] })).toBe(
      `collection_id IN ('${C1}') AND ${ONLY_UNRESTRICTED}`,
    );
  });

  it.each([`${C1}'`, "x", `${C1}') OR 1=1 --`, "", ` ${C1}`, `${C1}\n`])("refuses %j", (bad) => {
    expect(() => accessPredicate({ collectionIds: [bad], groupIds: [] })).toThrow(InvalidIdError);
    expect(() => accessPredicate({ collectionIds: [C1], groupIds: [bad] })).toThrow(InvalidIdError);
  });

  it("accepts the nil UUID (ingestion's placeholder group) but not non-strings", () => {
    expect(normalizeId("00000000-0000-0000-0000-000000000000", "id")).toBe("00000000-0000-0000-0000-000000000000");
    expect(() => normalizeId(42, "id")).toThrow("id must be a UUID.");
  });
});

describe("toMatchText", () => {
  it("keeps words and numbers, drops punctuation, query syntax and stop words", () => {
    expect(toMatchText('What is the "dose" of Heparin (ICD-10: I21.4) OR aspirin?')).toBe(
      "what dose heparin icd 10 i21 4 aspirin",
    );
  });

  it("returns null when nothing searchable is left", () => {
    expect(toMatchText("the and of")).toBeNull();
    expect(toMatchText("?!...")).toBeNull();
    expect(toMatchText("")).toBeNull();
  });

  it("keeps non-Latin words and drops tokens the index would ignore", () => {
    expect(toMatchText("Überweisung 日本語")).toBe("überweisung 日本語");
    expect(toMatchText(`${"x".repeat(41)} short`)).toBe("short");
  });
});
