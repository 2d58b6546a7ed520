// Identifiers with a checksum or an issuing rule: US SSNs (the SSA's never-issued ranges
// excluded), payment cards (Luhn, issuer ranges and lengths via card-validator) and IBANs
// (mod-97 and per-country format via ibantools).

import cardValidator from "card-validator";
import { electronicFormatIBAN, isValidIBAN } from "ibantools";
import type { PiiFinding } from "../pii-types";
import { finding, NOT_PERSONAL_CUE, textBefore } from "./context";

const SSN = /(?<![\w-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w-]|[ -]\d)/g;
const SSN_CUE = /\b(?:ssn|ss#|ss no|social security|soc\.? sec|ssa|taxpayer id(?:entification)?|tin)\b/;
// Published examples and advertising numbers the SSA voided.
const SSN_VOID = new Set(["078051120", "219099999", "123456789", "111111111", "333333333", "987654320", "987654321"]);

export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (group === "00" || serial === "0000") return false;
  return !SSN_VOID.has(area + group + serial);
}

export function detectSsn(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const m of text.matchAll(SSN)) {
    const [, area, sep, group, serial] = m;
    if (!ssnValid(area!, group!, serial!)) continue;
    const before = textBefore(text, m.index, 40);
    let confidence = sep === "-" ? 0.85 : sep === " " ? 0.7 : 0.35;
    if (SSN_CUE.test(before)) confidence = 0.98;
    else if (NOT_PERSONAL_CUE.test(before) || /\b(?:phone|tel|fax|zip|account|acct)\b/.test(before))
      confidence = Math.min(confidence, 0.3);
    out.push(finding("ssn", text, m.index, m.index + m[0].length, confidence));
  }
  return out;
}

// Digits with optional single spaces or dashes between them; the grouping is checked below.
const CARD = /(?<![\w.,-])\d(?:[ -]?\d){12,18}(?![\w]|[.,]\d|[ -]\d)/g;
const CARD_CUE =
  /\b(?:card|credit|debit|visa|master ?card|amex|american express|discover|diners|jcb|maestro|unionpay|cc|pan|payment|cardholder)\b/;

function plausibleGrouping(raw: string): boolean {
  const groups = raw.split(/[ -]/);
  if (groups.length === 1) return true;
  const seps = raw.match(/[ -]/g)!;
  if (!seps.every((s) => s === seps[0])) return false;
  const sizes = groups.map((g) => g.length);
  if (sizes.slice(0, -1).every((n) => n === 4) && sizes.at(-1)! <= 4) return true;
  // Amex 4-6-5 and Diners 4-6-4.
  return sizes.length === 3 && sizes[0] === 4 && sizes[1] === 6 && (sizes[2] === 5 || sizes[2] === 4);
}

export function detectCards(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const m of text.matchAll(CARD)) {
    const raw = m[0];
    if (!plausibleGrouping(raw)) continue;
    const digits = raw.replace(/\D/g, "");
    if (!cardValidator.number(digits, { luhnValidateUnionPay: true }).isValid) continue;
    // All one digit passes Luhn for some lengths and is never a real card.
    if (/^(\d)\1+$/.test(digits)) continue;
    const before = textBefore(text, m.index, 40);
    let confidence = raw.length > digits.length ? 0.92 : 0.8;
    if (CARD_CUE.test(before)) confidence = 0.99;
    else if (NOT_PERSONAL_CUE.test(before) || /\b(?:account|acct|phone|tel)\b/.test(before)) confidence = 0.3;
    out.push(finding("credit_card", text, m.index, m.index + raw.length, confidence));
  }
  return out;
}

const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?(?![A-Za-z0-9])/g;

export function detectIbans(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const m of text.matchAll(IBAN)) {
    // The last group may be the start of the next word; drop groups from the end until it checks.
    let candidate = m[0];
    while (candidate.replace(/ /g, "").length >= 15) {
      const electronic = electronicFormatIBAN(candidate.toUpperCase()) ?? "";
      if (isValidIBAN(electronic)) {
        const upper = candidate === candidate.toUpperCase();
        out.push(finding("iban", text, m.index, m.index + candidate.length, upper ? 0.97 : 0.9));
        break;
      }
      const cut = Math.max(candidate.lastIndexOf(" "), candidate.length - 4);
      candidate = candidate.slice(0, cut).trimEnd();
    }
  }
  return out;
}
