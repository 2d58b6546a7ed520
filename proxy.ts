import { NextResponse, type NextRequest } from "next/server";
import { securityContextOf } from "@/lib/server/security-context";
import { commonHeaders, newNonce, pagePolicy } from "@/lib/server/security-headers";

// Every page gets a Content-Security-Policy with a nonce of its own (ADR 0025). Next.js reads the
// nonce from the request's policy header while rendering and puts it on its scripts. API routes
// are left out on purpose: passing uploads through here would buffer their bodies, and their
// headers come from the route wrappers (lib/auth/guards.ts), which keep a policy a route set.
export function proxy(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const ctx = securityContextOf(request);
  const policy = pagePolicy(nonce, ctx);
  const forwarded = new Headers(request.headers);
  forwarded.set("content-security-policy", policy);
  forwarded.set("x-nonce", nonce);
  const response = NextResponse.next({ request: { headers: forwarded } });
  for (const [name, value] of Object.entries(commonHeaders(ctx))) response.headers.set(name, value);
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  matcher: [
    // Pages only: not /api, /v1, Next's static files, the icons or the manifest (next.config.ts gives those theirs).
    "/((?!api|v1|_next/static|_next/image|favicon.svg|icons/|manifest.webmanifest).*)",
  ],
};
