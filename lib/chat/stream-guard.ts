// What streams to the asker while the model writes, before the answer is checked. Text is held
// back by a short window and released only where no personal-data value and no citation marker
// can still be growing across the cut. What is released has had the output guard applied against
// every passage the model was given (the asker may read each one) and citations to passages it was
// not given removed. So neither the chat nor a streaming API client ever sees a value the guard
// would redact. The final event still carries the answer guarded against the passages it actually
// cites, which is stricter, and replaces what streamed.

import { answerPiiClassifier, maskRepeats } from "@/lib/privacy/guards";
import { detectPii, maskPii, type DetectPiiOptions, type PiiFinding } from "@/lib/privacy/pii";
import { MARKER, rewriteMarkers } from "@/lib/rag/cite";

/**
 * Characters held back behind the newest token. Longer than any value the detectors find (a
 * spaced card number, an IBAN, a phone number with its label), so a value is whole, and
 * recognised, before its first character could be released.
 */
export const STREAM_HOLD_CHARS = 96;
/** Released in steps of at least this many characters, so detection does not run for every token. */
const STEP_CHARS = 24;
/**
 * Each step runs detection from this far before the text still held: enough for any cue before a
 * value ("date of birth:", "SSN"), and it keeps a long answer's cost linear rather than quadratic.
 */
const CONTEXT_CHARS = 512;

export interface StreamGuardInput {
  /** Every passage given to the model, by its number in the prompt. */
  passages: readonly { n: number; text: string }[];
  /** What the asker typed: repeating their own values is no leak. */
  question: string;
  /** Values the stored question masks: masked in the answer too, unless a passage holds them. */
  maskedQuestionValues: readonly PiiFinding[];
  detect?: DetectPiiOptions;
  hold?: number;
}

export interface StreamGuard {
  /** Takes the model's next piece of text; emits whatever became safe to show. */
  push(text: string): void;
  /** The model is done (or stopped): emits the rest. */
  end(): void;
}

export function createStreamGuard(input: StreamGuardInput, emit: (text: string) => void): StreamGuard {
  const classify = answerPiiClassifier(
    {
      passages: input.passages.map((p) => p.text),
      question: input.question,
      maskedQuestionValues: input.maskedQuestionValues,
    },
    input.detect,
  );
  const known = new Set(input.passages.map((p) => p.n));
  const hold = input.hold ?? STREAM_HOLD_CHARS;
  let raw = "";
  let released = 0;
  /** Every value masked so far: a later repeat without the cue that found it is masked too. */
  const found = new Map<string, PiiFinding>();

  const release = (final: boolean) => {
    let cut = raw.length;
    if (!final) {
      const target = raw.length - hold;
      if (target - released < STEP_CHARS) return;
      // Never inside a word: the cut goes after the last whitespace before it. Text without
      // spaces (Chinese, Japanese, a long URL) is cut where it is once a whole window has built up.
      cut = target;
      while (cut > released && !/\s/.test(raw[cut - 1]!)) cut--;
      if (cut === released && target - released >= hold) cut = target;
    }
    if (cut <= released) return;
    // The window starts after a whitespace, so it does not begin with half a value.
    let from = Math.max(0, released - CONTEXT_CHARS);
    if (from > 0) from = Math.min(released, from + raw.slice(from).search(/\s|$/) + 1);
    const window = raw.slice(from);
    const masked = detectPii(window, input.detect)
      .filter((f) => classify(f) !== null)
      .map((f) => ({ ...f, start: f.start + from, end: f.end + from }));
    if (!final) {
      // Nor inside a value to mask or a citation marker; moving the cut back can land in another span, so repeat.
      const markers = Array.from(window.matchAll(MARKER), (m) => ({
        start: m.index + from,
        end: m.index + from + m[0].length,
      }));
      const spans: { start: number; end: number }[] = [...masked, ...markers];
      for (let moved = true; moved;) {
        moved = false;
        for (const s of spans) {
          if (s.start < cut && s.end > cut) {
            cut = s.start;
            moved = true;
          }
        }
      }
      if (cut <= released) return;
    }
    // A value found only now that began before `released` (its start already shown) has the rest masked.
    const shown = masked.filter((f) => f.end > released && f.start < cut);
    for (const f of shown) found.set(`${f.type}:${f.text}`, f);
    const inSegment = shown.map((f) => ({
      ...f,
      start: Math.max(f.start, released) - released,
      end: Math.min(f.end, cut) - released,
    }));
    const segment = maskRepeats(maskPii(raw.slice(released, cut), inSegment), [...found.values()]);
    released = cut;
    const out = rewriteMarkers(segment, (n) => known.has(n));
    if (out) emit(out);
  };

  return {
    push(text) {
      raw += text;
      release(false);
    },
    end() {
      release(true);
    },
  };
}
