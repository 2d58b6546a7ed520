// The security headers every response carries (ADR 0025). Pages get a Content-Security-Policy
// with a fresh nonce from proxy.ts; API responses get a policy that allows nothing, unless the
// route set its own (the original-file download keeps its `sandbox`). Pure functions, no
// secrets: proxy.ts, the route wrappers and the tests all call the same builder.

export interface SecurityContext {
  /** Served over https (directly, through a trusted proxy, or AUTH_URL says so): HSTS and upgrades. */
  https: boolean;
  /** `next dev`: React's debugging needs eval, which production never does. */
  dev?: boolean;
}

/**
 * The policy for an HTML page. Scripts run only when they carry this request's nonce or were
 * loaded by one that did ('strict-dynamic': Next's chunks, pdf.js and its worker module);
 * 'self' is the fallback for browsers without CSP level 3. Styles come from our own
 * stylesheets or a nonced <style>; pdf.js positions its text layer through the CSSOM
 * (element.style), which a policy does not govern, so no 'unsafe-inline' is needed.
 */
export function pagePolicy(nonce: string, ctx: SecurityContext): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${ctx.dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(ctx.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** API responses are data, never a document: nothing may load, run or frame them. */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

// Features no page of this application uses; a page an attacker manages to inject cannot ask for them.
const PERMISSIONS_POLICY = [
  "camera=()",
  "microphone=()",
  "geolocation=()",
  "payment=()",
  "usb=()",
  "serial=()",
  "hid=()",
  "display-capture=()",
  "screen-wake-lock=()",
  "publickey-credentials-get=()",
].join(", ");

/**
 * The headers that do not depend on the document. `strict-origin` rather than `no-referrer`:
 * under `no-referrer` a browser sends `Origin: null` on same-origin POSTs, which the server
 * actions' and the API's cross-origin checks (rightly) refuse.
 */
export function commonHeaders(ctx: SecurityContext): Record<string, string> {
  return {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin",
    "permissions-policy": PERMISSIONS_POLICY,
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "x-frame-options": "DENY",
    ...(ctx.https ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

/** A nonce: 128 random bits, base64 (the CSP grammar's base64-value). */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Whether the browser reached us over https. `x-forwarded-proto` is only still on the request
 * when a trusted proxy set it (lib/server/client-address.ts drops it otherwise); AUTH_URL
 * naming https means a TLS-terminating proxy is in front even when it does not say so.
 */
export function servedOverHttps(req: { url: string; headers: Headers }, authUrl: string | undefined): boolean {
  if (authUrl?.startsWith("https://")) return true;
  if (new URL(req.url).protocol === "https:") return true;
  return req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

/**
 * Adds the API headers a response does not already have. A header the route set itself wins,
 * so the file download's `sandbox` policy stays as it is.
 */
export function withSecurityHeaders(res: Response, ctx: SecurityContext): Response {
  const wanted = { ...commonHeaders(ctx), "content-security-policy": API_POLICY };
  const missing = Object.entries(wanted).filter(([name]) => !res.headers.has(name));
  if (missing.length === 0) return res;
  if (headersAreMutable(res)) {
    for (const [name, value] of missing) res.headers.set(name, value);
    return res;
  }
  // Response.redirect() and fetched responses have immutable headers: answer with a copy.
  const headers = new Headers(res.headers);
  for (const [name, value] of missing) headers.set(name, value);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

function headersAreMutable(res: Response): boolean {
  try {
    res.headers.append("x-kq-probe", "1");
  } catch (err) {
    if (err instanceof TypeError) return false;
    throw err;
  }
  res.headers.delete("x-kq-probe");
  return true;
}
