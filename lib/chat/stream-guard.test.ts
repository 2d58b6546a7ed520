import { describe, expect, it } from "vitest";
import { detectPii } from "@/lib/privacy/pii";
import { createStreamGuard, STREAM_HOLD_CHARS, type StreamGuardInput } from "./stream-guard";

// The stream guard on its own: the model's text arrives in arbitrary pieces, and at no moment may
// what has been released contain a value the output guard would redact or cite a passage the
// model was not given.

const PASSAGES = [
  { n: 1, text: "Discharge letters go to the family doctor within 24 hours. Queries to ward.office@example.org." },
  { n: 2, text: "The on-call pharmacist, reachable on +44 20 7946 0958, approves controlled drugs." },
];

/** Feeds `text` in pieces of the given sizes (cycled), recording every emission and every released prefix. */
function feed(text: string, sizes: number[], input: Partial<StreamGuardInput> = {}) {
  const pieces: string[] = [];
  const guard = createStreamGuard(
    { passages: PASSAGES, question: "When does the letter go?", maskedQuestionValues: [], ...input },
    (t) => pieces.push(t),
  );
  const snapshots: string[] = [];
  for (let at = 0, k = 0; at < text.length; k++) {
    const size = sizes[k % sizes.length]!;
    guard.push(text.slice(at, at + size));
    at += size;
    snapshots.push(pieces.join(""));
  }
  guard.end();
  return { pieces, out: pieces.join(""), snapshots };
}

const FILLER = "The ward sister checks the discharge checklist before the patient leaves the ward, every time. ";

describe("the stream guard", () => {
  it("passes ordinary text through unchanged, holding back only a short window", () => {
    const text = FILLER.repeat(4) + "Letters go within 24 hours [1].";
    const { out, snapshots } = feed(text, [3, 5, 2]);
    expect(out).toBe(text);
    // Something streamed before the end, and never more than the text minus the window.
    expect(snapshots.some((s) => s.length > 0)).toBe(true);
    snapshots.forEach((s, i) => {
      expect(text.startsWith(s)).toBe(true);
      expect(s.length).toBeLessThanOrEqual(Math.max(0, Math.min(text.length, (i + 1) * 10) - STREAM_HOLD_CHARS + 1));
    });
  });

  it.each([
    ["an SSN", "The patient's SSN is 536-22-1987 and nothing else.", "536-22-1987", "[SSN]"],
    ["a spaced card number", "Charge card 4111 1111 1111 1111 for the fee.", "4111 1111 1111 1111", "[CARD]"],
    ["an e-mail address", "Write to j.doe@patients.example.com today.", "j.doe@patients.example.com", "[EMAIL]"],
  ])(
    "never releases any part of %s that no passage holds, whatever the token boundaries",
    (_label, sentence, value, token) => {
      for (const sizes of [[1], [2, 7], [4], [13, 1, 3]]) {
        const text = FILLER + sentence + " " + FILLER;
        const { out, snapshots } = feed(text, sizes);
        expect(out).toContain(token);
        expect(out).not.toContain(value);
        // No moment shows a recognisable piece of the value either: the first two thirds of it.
        const head = value.slice(0, Math.ceil((value.length * 2) / 3));
        for (const s of snapshots) expect(s).not.toContain(head);
        expect(detectPii(out).filter((f) => f.type !== "person_name")).toEqual([]);
      }
    },
  );

  it("lets through values a passage in the prompt holds", () => {
    const text = `${FILLER}Ask ward.office@example.org or call +44 20 7946 0958 [2]. ${FILLER}`;
    expect(feed(text, [3]).out).toBe(text);
  });

  it("masks the asker's own value that their stored question masks", () => {
    const question = "What happens to SSN 536-22-1987 records?";
    const [ssn] = detectPii(question);
    const { out } = feed(`${FILLER}Records for 536-22-1987 are kept [1]. ${FILLER}`, [4], {
      question,
      maskedQuestionValues: [ssn!],
    });
    expect(out).toContain("Records for [SSN] are kept [1].");
  });

  it("removes citations of passages the model was not given, even split across pieces", () => {
    const text = `${FILLER}Letters go within 24 hours [1, 7]. Pharmacists approve [9]. Both apply [1][2]. ${FILLER}`;
    for (const sizes of [[1], [2], [5, 1]]) {
      const { out } = feed(text, sizes);
      expect(out).toContain("within 24 hours [1].");
      expect(out).toContain("Pharmacists approve .");
      expect(out).toContain("Both apply [1][2].");
      expect(out).not.toMatch(/\[[^\]]*[79]/);
    }
  });

  it("masks a later repeat of a masked value that lacks the cue that found it, however far on", () => {
    const text = `The form gives DOB: 12/03/1981 for the patient. ${FILLER.repeat(10)}Check 12/03/1981 against the wristband. ${FILLER}`;
    const { out } = feed(text, [5]);
    expect(out).toContain("The form gives DOB: [DOB] for the patient.");
    expect(out).toContain("Check [DOB] against the wristband.");
    expect(out).not.toContain("1981");
  });

  it("streams text without spaces too, rather than holding it all to the end", () => {
    const text = "手指衛生は患者に触れる前と後に行う。".repeat(30);
    const { out, snapshots } = feed(text, [3]);
    expect(out).toBe(text);
    expect(snapshots[Math.floor(snapshots.length / 2)]!.length).toBeGreaterThan(0);
  });

  it("releases everything, guarded, when the model stops early", () => {
    const { out } = feed("Short answer: 536-22-1987", [2]);
    expect(out).toBe("Short answer: [SSN]");
  });
});
