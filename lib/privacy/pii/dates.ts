// Dates of birth: a real calendar date with a birth cue just before it. Most dates in
// documents are effective dates and deadlines, so a date alone is never a finding.

import type { PiiFinding } from "../pii-types";
import { finding } from "./context";

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const MONTH =
  "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?";

const BIRTH_CUE =
  /(?:\bdate\s+of\s+birth|\bbirth\s*date|\bbirthdate|\bd\.?\s?o\.?\s?b\b\.?|\bborn(?:\s+on)?|\bbirthday|\bgeburtsdatum|\bgeb\.|\bdate\s+de\s+naissance|\bn[ée]e?\s+le|\bfecha\s+de\s+nacimiento|\bdata\s+di\s+nascita)/gi;

/** Dates the cue may point at, anchored at the start of the text after the cue's gap. */
const DATE_FORMS: { re: RegExp; parse: (m: RegExpExecArray) => [number, number, number][] }[] = [
  // 1980-03-14
  { re: /^(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)/, parse: (m) => [[+m[1]!, +m[2]!, +m[3]!]] },
  // 03/14/1980, 14.03.1980, 3-14-80: month and day may be either way round
  {
    re: /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)/,
    parse: (m) => {
      const y = fullYear(m[4]!);
      return [
        [y, +m[1]!, +m[3]!],
        [y, +m[3]!, +m[1]!],
      ];
    },
  },
  // March 14, 1980 / Mar. 14th 1980
  {
    re: new RegExp(`^${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?!\\d)`, "i"),
    parse: (m) => [[+m[3]!, monthOf(m[1]!), +m[2]!]],
  },
  // 14 March 1980 / 14th of March, 1980
  {
    re: new RegExp(`^(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH},?\\s+(\\d{4})(?!\\d)`, "i"),
    parse: (m) => [[+m[3]!, monthOf(m[2]!), +m[1]!]],
  },
];

function monthOf(name: string): number {
  return MONTHS[name.toLowerCase().replace(/\.$/, "")] ?? 0;
}

function fullYear(y: string): number {
  if (y.length === 4) return +y;
  const n = +y;
  const now = new Date().getFullYear() % 100;
  return n > now ? 1900 + n : 2000 + n;
}

function isRealBirthDate([y, m, d]: [number, number, number]): boolean {
  if (y < 1900 || y > new Date().getFullYear()) return false;
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** What may stand between a cue and its date: a colon, a bracketed format hint, a table bar. */
const GAP =
  /^(?:\s|[:|=\-–—]|\((?:[^()\n]{0,14})\)|on\b|is\b|was\b|of\b|(?:given|listed|recorded|entered|stated|reported)\s+as\b){0,8}/i;

export function detectDatesOfBirth(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const cue of text.matchAll(BIRTH_CUE)) {
    const afterCue = cue.index + cue[0].length;
    const rest = text.slice(afterCue, afterCue + 60);
    const gap = GAP.exec(rest)![0];
    const tail = rest.slice(gap.length);
    for (const form of DATE_FORMS) {
      const m = form.re.exec(tail);
      if (!m) continue;
      if (!form.parse(m).some(isRealBirthDate)) break;
      const start = afterCue + gap.length;
      out.push(finding("date_of_birth", text, start, start + m[0].length, 0.92));
      break;
    }
  }
  return out;
}
