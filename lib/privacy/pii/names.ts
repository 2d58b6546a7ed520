// People's names from cues, not from guessing at every capitalised word: an honorific
// ("Dr. Alice Wong"), a label ("Patient: John Smith", "Dear Ms Novak"), a qualification after
// the name ("Jane Roe, RN") or an identifier right after it ("John Smith, DOB …"). A statistical
// tagger (compromise) was measured against these rules in bench/guards.ts: it found a few more
// names in running prose but was about three orders of magnitude slower, too slow to scan every
// passage at ingestion; see docs/adr for the figures.

import type { PiiFinding } from "../pii-types";
import { finding } from "./context";

const TOKEN = String.raw`(?:(?:Mc|Mac|O['’])?[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?|[A-Z][a-z]*[A-Z][a-z]+)`;
const PARTICLE = String.raw`(?:van|von|de|der|den|da|di|du|del|la|le|bin|al|ter|ten)`;
const INITIAL = String.raw`[A-Z]\.`;
/** First [middle initial] [particle] Last, or a single surname where the cue allows. */
// Inside a name only spaces and tabs: a line break ends it (headings run into the next line).
const SP = String.raw`[ \t]+`;
const FULL_NAME = new RegExp(
  `^${TOKEN}(?:${SP}(?:${INITIAL}|${TOKEN}))?(?:${SP}${PARTICLE}(?:${SP}${PARTICLE})?)?${SP}${TOKEN}`,
);
const ONE_NAME = new RegExp(`^${TOKEN}(?:${SP}(?:${INITIAL}${SP})?(?:${PARTICLE}${SP})?${TOKEN}){0,2}`);
const LAST_FIRST = new RegExp(`^${TOKEN},${SP}${TOKEN}(?:${SP}${INITIAL})?`);

// Capitalised words that follow the same cues in policies and forms without being names.
const NOT_NAMES = new Set(
  `the this that these those a an all any each every our your their his her its my we you they it
  policy policies procedure procedures officer officers privacy security department dept hospital clinic health medical
  center centre care manager management committee act rule rules section part form forms information data system systems
  services service office team board director chief compliance human resources customer customers patient patients
  employee employees user users member members staff sir madam colleague colleagues client clients valued federal state
  national agency administration inc llc ltd corporation company group university program programme plan covered entity
  business associate associates workforce secretary general counsel legal risk audit incident response control controls
  standard standards guide guidance appendix annex chapter table figure note notes date name names signature title role
  unknown none other see refer reference page version draft final approved reviewed prepared effective number id
  first last middle full legal preferred nurse doctor physician provider practitioner applicant guardian parent
  representative contact person owner administrator admin operator vendor supplier contractor partner public
  january february march april may june july august september october november december monday tuesday wednesday
  thursday friday saturday sunday north south east west street road avenue county city district region
  division institute branch unit bureau council commission foundation association society laboratory lab technology
  technologies solutions network networks bank trust fund insurance partners holdings international global applied
  toolkit notification testing selection relationships summary action income retirement financial institution
  institutions providers matches defined identifiers required payable receivable accounts desk help support operations
  services cybersecurity safety quality assurance governance training education research development engineering
  if when where while for from with without to of in on at by and or not no yes is are was were be been`
    .split(/\s+/)
    .filter(Boolean),
);

function plausible(name: string): boolean {
  const tokens = name.split(/[\s,]+/).filter((t) => t.length > 0 && !/^[A-Z]\.$/.test(t));
  return tokens.length > 0 && tokens.every((t) => !NOT_NAMES.has(t.toLowerCase().replace(/['’]s$/, "")));
}

function take(text: string, at: number, re: RegExp): string | null {
  const m = re.exec(text.slice(at, at + 80));
  return m && plausible(m[0]) ? m[0] : null;
}

const HONORIFIC = /\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Herr|Frau|Mme|Mlle|Sra?|Srta)\b\.?[ \t]+/g;
const HONORIFIC_AHEAD = /^(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Herr|Frau|Mme|Mlle|Sra?|Srta)\b/;
// A label noun counts only with a colon or dash after it ("Provider: …", not "Service Provider
// Testing"); "… by" phrases count without one.
const LABEL =
  /\b(?:(?:patient(?:'s)?(?:[ \t]+(?:full[ \t]+)?name)?|(?:full[ \t]+|legal[ \t]+|client[ \t]+|member[ \t]+|employee[ \t]+|resident[ \t]+|insured[ \t]+)?name|employee|signed|signature|insured|subscriber|guardian|next[ \t]+of[ \t]+kin|emergency[ \t]+contact|contact[ \t]+person|attn|attention|author|physician|attending|provider|nurse|mother|father|spouse|witness|beneficiary)\.?[ \t]*[:\-–]|(?:prepared|approved|reviewed|submitted|requested|authored|signed|completed|verified)[ \t]+by[ \t]*:?)[ \t]*/gi;
/** "patient Jane Roe" written into running text, without a colon. */
const PATIENT = /\b[Pp]atient[ \t]+(?=[A-Z])/g;
const DEAR = /\bDear[ \t]+/g;
const CREDENTIAL_AFTER =
  /^,?\s+(?:MD|M\.D\.|RN|R\.N\.|DO|D\.O\.|PhD|Ph\.D\.|NP|PA-C|DDS|DMD|LPN|CNA|PharmD|MBBS|FACP|FRCP|Esq\.?)\b/;
const IDENTIFIER_AFTER = /^\s*[,(]\s*(?:DOB|D\.O\.B\.|born|date of birth|MRN|SSN|age\s+\d)/i;
const CANDIDATE = new RegExp(
  `(?<![\\w'’-])${TOKEN}(?:${SP}${INITIAL})?(?:${SP}${PARTICLE})?${SP}${TOKEN}(?![\\w'’-])`,
  "g",
);

export function detectNames(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  const push = (start: number, name: string, confidence: number) =>
    out.push(finding("person_name", text, start, start + name.length, confidence));

  for (const m of text.matchAll(HONORIFIC)) {
    const at = m.index + m[0].length;
    const name = take(text, at, ONE_NAME);
    if (name) push(at, name, 0.85);
  }
  for (const m of text.matchAll(LABEL)) {
    const at = m.index + m[0].length;
    const lastFirst = take(text, at, LAST_FIRST);
    const name = lastFirst ?? take(text, at, FULL_NAME);
    if (name) push(at, name, 0.85);
  }
  for (const m of text.matchAll(PATIENT)) {
    const at = m.index + m[0].length;
    const name = take(text, at, FULL_NAME);
    if (name) push(at, name, 0.75);
  }
  for (const m of text.matchAll(DEAR)) {
    const at = m.index + m[0].length;
    if (HONORIFIC_AHEAD.test(text.slice(at, at + 6))) continue;
    const name = take(text, at, ONE_NAME);
    if (name) push(at, name, 0.7);
  }
  for (const m of text.matchAll(CANDIDATE)) {
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 20);
    if ((CREDENTIAL_AFTER.test(after) || IDENTIFIER_AFTER.test(after)) && plausible(m[0])) push(m.index, m[0], 0.85);
  }
  return out;
}
