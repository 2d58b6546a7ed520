// Where to go after signing in. Only same-site paths are allowed; anything else would make the
// login page an open redirect that a phishing link could use.

const BASE = "http://same-site.invalid";

export function safeCallbackUrl(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return fallback;
  if (!value.startsWith("/") || value.startsWith("//")) return fallback;
  // Browsers read "\" as "/" and drop tabs and newlines, so "/\evil.example" would leave the site.
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (ch === "\\" || code < 0x20 || code === 0x7f) return fallback;
  }
  let parsed: URL;
  try {
    parsed = new URL(value, BASE);
  } catch {
    // Not parseable as a path: refuse it like any other unsafe value.
    return fallback;
  }
  if (parsed.origin !== BASE) return fallback;
  return `${parsed.pathname}${parsed.search}${parsed.hash}`;
}
