import { describe, expect, it } from "vitest";
import {
  API_POLICY,
  commonHeaders,
  newNonce,
  pagePolicy,
  servedOverHttps,
  withSecurityHeaders,
} from "./security-headers";

const directive = (policy: string, name: string) =>
  policy
    .split(";")
    .map((d) => d.trim())
    .find((d) => d === name || d.startsWith(`${name} `));

describe("the page policy", () => {
  const policy = pagePolicy("bm9uY2U=", { https: false });

  it("runs only nonced scripts and what they load, and never eval outside next dev", () => {
    expect(directive(policy, "script-src")).toBe("script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic'");
    expect(policy).not.toContain("unsafe-eval");
    expect(policy).not.toContain("unsafe-inline");
    expect(pagePolicy("bm9uY2U=", { https: false, dev: true })).toContain("'unsafe-eval'");
  });

  it("allows no plugins, no <base>, no framing, and forms only to this origin", () => {
    expect(directive(policy, "object-src")).toBe("object-src 'none'");
    expect(directive(policy, "base-uri")).toBe("base-uri 'none'");
    expect(directive(policy, "frame-ancestors")).toBe("frame-ancestors 'none'");
    expect(directive(policy, "form-action")).toBe("form-action 'self'");
    expect(directive(policy, "style-src")).toBe("style-src 'self' 'nonce-bm9uY2U='");
  });

  it("upgrades subresources only when the site is served over https", () => {
    expect(directive(policy, "upgrade-insecure-requests")).toBeUndefined();
    expect(directive(pagePolicy("x", { https: true }), "upgrade-insecure-requests")).toBeDefined();
  });
});

describe("nonces", () => {
  it("are 128 random bits in base64, different every time", () => {
    const seen = new Set(Array.from({ length: 200 }, newNonce));
    expect(seen.size).toBe(200);
    for (const n of seen) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });
});

describe("the common headers", () => {
  it("send HSTS only over https", () => {
    expect(commonHeaders({ https: false })).not.toHaveProperty("strict-transport-security");
    expect(commonHeaders({ https: true })["strict-transport-security"]).toMatch(/^max-age=31536000/);
  });

  it("keep the origin on same-origin POSTs (no-referrer would send Origin: null)", () => {
    const h = commonHeaders({ https: false });
    expect(h["referrer-policy"]).toBe("strict-origin");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["cross-origin-opener-policy"]).toBe("same-origin");
    expect(h["permissions-policy"]).toContain("camera=()");
  });
});

describe("servedOverHttps", () => {
  const req = (url: string, headers: Record<string, string> = {}) => ({ url, headers: new Headers(headers) });

  it("believes AUTH_URL, the URL's scheme, and a forwarded proto the forwarding policy kept", () => {
    expect(servedOverHttps(req("http://127.0.0.1:3000/"), undefined)).toBe(false);
    expect(servedOverHttps(req("http://127.0.0.1:3000/"), "http://qa.internal")).toBe(false);
    expect(servedOverHttps(req("http://127.0.0.1:3000/"), "https://qa.example.org")).toBe(true);
    expect(servedOverHttps(req("https://qa.example.org/"), undefined)).toBe(true);
    expect(servedOverHttps(req("http://x/", { "x-forwarded-proto": "https, http" }), undefined)).toBe(true);
    expect(servedOverHttps(req("http://x/", { "x-forwarded-proto": "http" }), undefined)).toBe(false);
  });
});

describe("withSecurityHeaders", () => {
  it("gives a JSON answer the API policy and the common headers", () => {
    const res = withSecurityHeaders(Response.json({ ok: true }), { https: true });
    expect(res.headers.get("content-security-policy")).toBe(API_POLICY);
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("keeps a policy the route set itself (the original file's sandbox)", () => {
    const own = new Response("x", {
      headers: { "content-security-policy": "sandbox; default-src 'none'", "x-content-type-options": "nosniff" },
    });
    const res = withSecurityHeaders(own, { https: false });
    expect(res.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin");
  });

  it("copies a response whose headers cannot change (a redirect) without losing status or location", () => {
    const res = withSecurityHeaders(Response.redirect("http://localhost/login", 303), { https: false });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://localhost/login");
    expect(res.headers.get("content-security-policy")).toBe(API_POLICY);
  });
});
