// Credentials: keys with a vendor's prefix, JWTs, PEM private keys, passwords written into text
// ("password: …", a URL with user:pass@), and long random strings right after a key-ish word.

import type { PiiFinding } from "../pii-types";
import { entropy, finding } from "./context";

const KNOWN_KEYS: { re: RegExp; confidence: number }[] = [
  { re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, confidence: 0.97 },
  { re: /\bgh[pousr]_[A-Za-z0-9]{36,251}\b/g, confidence: 0.98 },
  { re: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g, confidence: 0.98 },
  { re: /\bglpat-[A-Za-z0-9_-]{20,}\b/g, confidence: 0.97 },
  { re: /\bsk-(?:proj-|ant-(?:api\d{2}-)?|svcacct-)?[A-Za-z0-9_-]{20,}\b/g, confidence: 0.95 },
  { re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, confidence: 0.97 },
  { re: /\bxapp-\d-[A-Za-z0-9-]{10,}\b/g, confidence: 0.95 },
  { re: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g, confidence: 0.97 },
  { re: /\bAIza[0-9A-Za-z_-]{35}\b/g, confidence: 0.95 },
  { re: /\bnpm_[A-Za-z0-9]{36}\b/g, confidence: 0.97 },
  { re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g, confidence: 0.97 },
  { re: /\bhf_[A-Za-z0-9]{34,}\b/g, confidence: 0.95 },
  { re: /\bSK[0-9a-f]{32}\b/g, confidence: 0.75 },
  // JSON Web Tokens: header and payload are base64url JSON objects.
  { re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, confidence: 0.93 },
  {
    re: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----[\s\S]{16,}?-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/g,
    confidence: 0.99,
  },
  // Cloud connection strings carry their key inline.
  { re: /\b(?:AccountKey|SharedAccessKey)=[A-Za-z0-9+/=]{20,}/g, confidence: 0.95 },
];

// The value after a password cue, quoted or not; the cue itself stays readable after masking.
const PASSWORD =
  /\b(?:pass(?:word|wd|phrase|code)?|pwd|pw|passwort|mot de passe|contrase[ñn]a|pin)\b(\s+(?:is|was|(?:re)?set\s+to|changed\s+to|to)\s+|\s*(?:[:=]|:=)\s*|\s+)(["'`“‘]?)([^\s"'`”’]{4,128})\2/dgi;
const PLACEHOLDER =
  /^(?:[*x•.·#_-]+|<[^>]*>|\[[^\]]*\]|\{[^}]*\}|\$\{?[\w.]+\}?|%\w+%|(?:your|my|the|a|an|new|old|same|this|that|must|should|shall|will|may|can|cannot|be|at|of|for|to|is|are|was|not|never|only|and|or|with|when|if|policy|policies|required|requirement|requirements|minimum|maximum|min|max|length|expire|expires|expiry|expiration|change|changes|changed|reset|resets|characters?|complexity|none|null|nil|n\/a|tbd|redacted|hidden|protected|manager|management|history|field|fields|hash|hashes|hashed|based|entry|entries|used|use|strength|strong|weak|rules?|guidance|guidelines?|authentication|authenticator|authenticators|secret|secrets|value|values|example|sample|placeholder|changeme_placeholder))$/i;

function passwordFindings(text: string, out: PiiFinding[]): void {
  for (const m of text.matchAll(PASSWORD)) {
    const value = m[3]!.replace(/[.,;:!?)]+$/, "");
    if (value.length < 4 || PLACEHOLDER.test(value) || /^[<[{(/-]/.test(value)) continue;
    const quoted = m[2] !== "";
    // "password Tr0ub4dor&3" with nothing between: only a value that mixes letters and digits.
    const bare = m[1]!.trim() === "";
    if (bare && !quoted && !(/\d/.test(value) && /[A-Za-z]/.test(value))) continue;
    const isPin = /^pin\b/i.test(m[0]);
    let confidence: number;
    if (isPin) confidence = /^\d{4,12}$/.test(value) ? 0.75 : 0;
    else if (quoted) confidence = 0.9;
    else if (/\d/.test(value) || /[^A-Za-z0-9]/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value.slice(1))))
      confidence = 0.85;
    else confidence = 0;
    if (confidence === 0) continue;
    const start = m.indices![3]![0];
    out.push(finding("password", text, start, start + value.length, confidence));
  }
}

const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]{1,15}:\/\/([^\s:@/]{1,64}):([^\s@/]{3,128})@[\w.-]+/dgi;

function urlCredentials(text: string, out: PiiFinding[]): void {
  if (!text.includes("://")) return;
  for (const m of text.matchAll(URL_CREDENTIALS)) {
    const value = m[2]!;
    if (PLACEHOLDER.test(value) || /^(?:pass(?:word)?|pwd|secret)$/i.test(value)) continue;
    const [start, end] = m.indices![2]!;
    // Above an email's confidence: "user:pass@host" must read as a password.
    out.push(finding("password", text, start, end, 0.96));
  }
}

const KEY_CUE =
  /\b(?:api[_ -]?key|apikey|access[_ -]?key(?:[_ -]?id)?|secret[_ -]?(?:access[_ -]?)?key|client[_ -]?secret|auth[_ -]?token|access[_ -]?token|refresh[_ -]?token|bearer|session[_ -]?token|token|secret|private[_ -]?key|credentials?|signing[_ -]?key)\b["']?\s*(?:[:=]|=>|:=|\bis\b)?\s*["']?([A-Za-z0-9+/_\-.=~]{16,256})/dgi;

function cuedSecrets(text: string, out: PiiFinding[]): void {
  for (const m of text.matchAll(KEY_CUE)) {
    const value = m[1]!.replace(/[.=]+$/, (tail) => (tail.includes("=") ? tail : ""));
    if (value.length < 16 || /^[-./]/.test(value) || entropy(value) < 3.3) continue;
    // Random strings mix digits with letters (or are long hex); words joined by dashes, slashes
    // or underscores ("Impersonation/Theft", "use-hmg-online-services") are names, not secrets.
    const hasDigit = /\d/.test(value);
    const mixedCase = /[a-z]/.test(value) && /[A-Z]/.test(value);
    if (!hasDigit && !(mixedCase && value.length >= 32)) continue;
    if (/(?:[A-Za-z]{3,}[-_/.]){2,}/.test(value) && !/[A-Za-z]*\d[A-Za-z]*\d/.test(value.replace(/[-_/.]/g, "")))
      continue;
    const start = m.indices![1]![0];
    out.push(finding("secret", text, start, start + value.length, 0.85));
  }
}

/** Documentation keys: runs of one character ("AKIAXXXXXXXXXXXXXXXX") or vendors' EXAMPLE keys. */
function isPlaceholderKey(key: string): boolean {
  return (
    /(.)\1{5,}/.test(key) || /EXAMPLE|SAMPLE|PLACEHOLDER|DUMMY/i.test(key) || (key.length < 200 && entropy(key) < 3)
  );
}

export function detectSecrets(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const { re, confidence } of KNOWN_KEYS) {
    for (const m of text.matchAll(re)) {
      if (isPlaceholderKey(m[0])) continue;
      out.push(finding("secret", text, m.index, m.index + m[0].length, confidence));
    }
  }
  cuedSecrets(text, out);
  return out;
}

export function detectPasswords(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  passwordFindings(text, out);
  urlCredentials(text, out);
  return out;
}
