// Ways to reach or locate a person: email addresses, phone numbers (found and validated by
// libphonenumber-js with full metadata) and IP addresses (checked by node:net).

import { isIP } from "node:net";
import { findPhoneNumbersInText, type CountryCode } from "libphonenumber-js/max";
import type { PiiFinding } from "../pii-types";
import { finding, NOT_PERSONAL_CUE, textBefore } from "./context";

const EMAIL =
  /(?<![\w.+%-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![\w-]|\.[A-Za-z0-9])/g;
// "logo@2x.png" and friends: asset names, not mailboxes.
const FILE_EXTENSIONS = new Set([
  "png",
  "jpg",
  "jpeg",
  "gif",
  "svg",
  "webp",
  "bmp",
  "ico",
  "css",
  "js",
  "ts",
  "json",
  "pdf",
  "map",
]);

export function detectEmails(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  if (!text.includes("@")) return out;
  for (const m of text.matchAll(EMAIL)) {
    if (FILE_EXTENSIONS.has(m[1]!.toLowerCase())) continue;
    // user:password@host inside a URL is a credential, not a mailbox.
    if (/:\/\/[^\s/@]*:$/.test(text.slice(Math.max(0, m.index - 80), m.index))) continue;
    out.push(finding("email", text, m.index, m.index + m[0].length, 0.95));
  }
  return out;
}

const PHONE_CUE =
  /\b(?:phone|ph|tel|telephone|mobile|cell|cellphone|fax|call|dial|contact|whatsapp|sms|text|pager|hotline)\b\.?\s*(?:no\.?|number|#)?\s*[:.]?\s*$/;

export function detectPhones(text: string, defaultCountry: CountryCode = "US"): PiiFinding[] {
  const out: PiiFinding[] = [];
  // The finder is the slowest detector; a phone number has at least 7 digits.
  let digits = 0;
  for (let i = 0; i < text.length && digits < 7; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  if (digits < 7) return out;
  for (const found of findPhoneNumbersInText(text, { defaultCountry })) {
    const raw = text.slice(found.startsAt, found.endsAt);
    const before = textBefore(text, found.startsAt, 30);
    let confidence: number;
    if (PHONE_CUE.test(before)) confidence = 0.95;
    else if (raw.startsWith("+")) confidence = 0.9;
    else if (/[()\s.-]/.test(raw)) confidence = 0.8;
    else confidence = 0.4;
    if (NOT_PERSONAL_CUE.test(before) && !PHONE_CUE.test(before)) confidence = 0.3;
    out.push(finding("phone", text, found.startsAt, found.endsAt, confidence));
  }
  return out;
}

const IPV4 = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)/g;
const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|\d{1,3}(?:\.\d{1,3}){3})(?![\w:])/g;
const IP_CUE =
  /\b(?:ip|ipv4|ipv6|address|addr|host|server|from|source|src|dst|destination|client|gateway|dns|subnet|proxy|firewall|allow|deny|block|login)\b/;
const VERSION_CUE =
  /(?:\bv|\bversion|\bver\.?|\brelease|\bbuild|\brev(?:ision)?|\bsection|§|\bclause|\bparagraph|\bpara\.?|\bfigure|\bfig\.?|\btable|\bstep|\bitem|\bchapter|\bappendix|\bannex|\bpart|\bcontrol|\bstandard|\brule|\boid)\s*[:#]?\s*$/;

export function detectIps(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const m of text.matchAll(IPV4)) {
    if (isIP(m[0]) !== 4) continue;
    const before = textBefore(text, m.index, 30);
    if (VERSION_CUE.test(before)) continue;
    const octets = m[0].split(".").map(Number);
    // "4.4.1.3" is far more often a section number than an address: only an explicit cue right
    // before it makes it one.
    const smallOctets = octets.every((o) => o < 10);
    let confidence = smallOctets ? 0.45 : 0.8;
    if (smallOctets ? /\b(?:ip|ipv4|ip address|address|host)\s*[:=]?\s*$/.test(before) : IP_CUE.test(before))
      confidence = 0.95;
    out.push(finding("ip_address", text, m.index, m.index + m[0].length, confidence));
  }
  if (text.includes(":")) {
    for (const m of text.matchAll(IPV6)) {
      if (isIP(m[0]) !== 6) continue;
      // Enough hex to be an address, not "::" or a clock time.
      if (m[0].replace(/[^0-9A-Fa-f]/g, "").length < 4) continue;
      const before = textBefore(text, m.index, 30);
      out.push(finding("ip_address", text, m.index, m.index + m[0].length, IP_CUE.test(before) ? 0.95 : 0.85));
    }
  }
  return out;
}
