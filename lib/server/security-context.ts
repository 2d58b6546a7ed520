import "server-only";
import { env } from "@/lib/env";
import { servedOverHttps, withSecurityHeaders, type SecurityContext } from "./security-headers";

/** How this request was served, as the security headers need to know it. */
export function securityContextOf(req: { url: string; headers: Headers }): SecurityContext {
  const e = env();
  return { https: servedOverHttps(req, e.AUTH_URL), dev: e.NODE_ENV === "development" };
}

/** An API response with the security headers it does not set itself. */
export function secured(req: Request, res: Response): Response {
  return withSecurityHeaders(res, securityContextOf(req));
}
