// Prompt-injection checks for document passages and questions: instructions aimed at the model
// rather than at people. Rules (injection-rules.ts) run on normalised text, so look-alike
// letters, full-width forms and zero-width characters inside words do not hide a phrase;
// findings point back at the original text. Only findings at or above INJECTION_THRESHOLD are
// returned.

import { countInvisible } from "./invisible";
import { AI_ADDRESS, INJECTION_RULES, SECOND_PERSON, type InjectionKind } from "./injection-rules";
import { normalizeForScan, originalSpan } from "./normalize";

export { INJECTION_KINDS, type InjectionKind } from "./injection-rules";

export interface InjectionFinding {
  kind: InjectionKind;
  start: number;
  end: number;
  text: string;
  confidence: number;
}

export const INJECTION_THRESHOLD = 0.5;
/** How much a passage that addresses an AI as "you" raises a weak rule. */
const ADDRESS_BOOST = 0.25;
const ADDRESS_WINDOW = 240;

export const INJECTION_LABELS: Record<InjectionKind, string> = {
  override: "Tries to override the assistant's instructions",
  role_play: "Role-play or jailbreak attempt",
  exfiltration: "Tries to send data out or pull in other content",
  prompt_probe: "Probes for the system prompt",
  fence_escape: "Tries to break out of the quoted passage",
  addressed_instruction: "Instructions addressed to the assistant",
  hidden_text: "Hidden text",
};

export function scanInjection(text: string): InjectionFinding[] {
  const found: InjectionFinding[] = [];
  const norm = normalizeForScan(text);
  const t = norm.text;
  for (const rule of INJECTION_RULES) {
    rule.re.lastIndex = 0;
    for (const m of t.matchAll(rule.re)) {
      const start = m.index;
      const end = start + m[0].length;
      if (rule.unless?.test(t.slice(end, end + 80))) continue;
      let confidence = rule.confidence;
      if (confidence < 0.9 && addressesAnAi(t, start, end)) confidence = Math.min(0.95, confidence + ADDRESS_BOOST);
      if (confidence < INJECTION_THRESHOLD) continue;
      const [from, to] = originalSpan(text, norm, start, end);
      found.push({
        kind: rule.kind,
        start: from,
        end: to,
        text: text.slice(from, to).trim(),
        confidence: round(confidence),
      });
    }
  }
  const invisible = invisibleFinding(text);
  if (invisible) found.push(invisible);
  return strongestPerSpan(found);
}

function addressesAnAi(t: string, start: number, end: number): boolean {
  const around = t.slice(Math.max(0, start - ADDRESS_WINDOW), end + ADDRESS_WINDOW);
  return AI_ADDRESS.test(around) && SECOND_PERSON.test(around);
}

/**
 * Tag characters that spell words, or bidi overrides, are hidden text whatever they say; the
 * spelled-out text is scanned too, so a smuggled instruction is named as one.
 */
function invisibleFinding(text: string): InjectionFinding | null {
  const counts = countInvisible(text);
  if (counts.tags === 0 && counts.bidi === 0 && counts.zeroWidth < 16) return null;
  const first = text.search(
    counts.tags > 0
      ? /\uDB40[\uDC00-\uDC7F]/
      : counts.bidi > 0
        ? /[\u202A-\u202E\u2066-\u2069]/
        : /[\u200B\u2060\uFEFF\u180E]/,
  );
  const smuggled = counts.tagText.length >= 4 ? scanInjection(counts.tagText) : [];
  let confidence: number;
  if (smuggled.length > 0) confidence = 0.97;
  else if (counts.tagText.replace(/[^a-z]/gi, "").length >= 4) confidence = 0.9;
  else if (counts.bidi > 0 && /[\u202D\u202E]/.test(text)) confidence = 0.7;
  else if (counts.zeroWidth >= 16) confidence = 0.55;
  else return null;
  const excerpt = counts.tagText
    ? `[invisible text: "${counts.tagText.slice(0, 200)}"]`
    : "[invisible control characters]";
  return { kind: "hidden_text", start: Math.max(0, first), end: Math.max(0, first) + 1, text: excerpt, confidence };
}

/** Overlapping findings collapse to the most confident one. */
function strongestPerSpan(findings: InjectionFinding[]): InjectionFinding[] {
  const ranked = [...findings].sort((a, b) => b.confidence - a.confidence || b.end - b.start - (a.end - a.start));
  const kept: InjectionFinding[] = [];
  for (const f of ranked) if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push(f);
  return kept.sort((a, b) => a.start - b.start);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
