import "server-only";
import { processMetrics, safely } from "./registry";

// HTTP request metrics. The route label must be the route's pattern (/api/documents/:id/file),
// never the path a client sent: ids in labels would create a time series per document and let
// any caller grow the server's memory without bound.

type Params = Record<string, string | string[] | undefined>;

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The pattern of an App Router path, from the path and the params Next.js matched: every segment
 * that is the value of a dynamic param becomes `:name`, catch-all params one `:name*`. The other
 * segments are the route folder's literal names, so the label set is bounded by the routes.
 */
export function routePattern(pathname: string, params: Params = {}): string {
  const byValue = new Map<string, string>();
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === "string") byValue.set(value, `:${name}`);
    else if (Array.isArray(value)) for (const v of value) byValue.set(v, `:${name}*`);
  }
  const out: string[] = [];
  for (const segment of pathname.split("/")) {
    const label = byValue.get(decodeSegment(segment)) ?? segment;
    // A catch-all spans several segments; it is one segment of the pattern.
    if (label.endsWith("*") && out[out.length - 1] === label) continue;
    out.push(label);
  }
  const joined = out.join("/");
  return joined.length > 1 ? joined.replace(/\/+$/, "") : joined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Auth.js owns everything under /api/auth: keep its action names, never what follows them. */
const AUTH_ACTIONS = new Set([
  "session",
  "csrf",
  "providers",
  "signin",
  "signout",
  "callback",
  "error",
  "verify-request",
  "webauthn-options",
]);

export function authRoutePattern(pathname: string): string {
  const rest = pathname
    .replace(/^\/api\/auth\/?/, "")
    .split("/")
    .filter(Boolean);
  const action = rest[0];
  if (!action || !AUTH_ACTIONS.has(action)) return "/api/auth/:action";
  return rest.length > 1 ? `/api/auth/${action}/:provider` : `/api/auth/${action}`;
}

export function observeHttpRequest({
  method,
  route,
  status,
  ms,
}: {
  method: string;
  route: string;
  status: number;
  ms: number;
}): void {
  const m = METHODS.has(method.toUpperCase()) ? method.toUpperCase() : "OTHER";
  safely("http request", () =>
    processMetrics().httpDuration.observe({ method: m, route, status: String(status) }, Math.max(0, ms) / 1000),
  );
}

/**
 * Times a route handler that does not go through apiRoute (health, Auth.js, unknown paths).
 * The pattern is fixed, or computed from the request for routes that own a whole subtree.
 */
export function instrumentRoute<R extends Request, Rest extends unknown[]>(
  pattern: string | ((req: R) => string),
  handler: (req: R, ...rest: Rest) => Promise<Response>,
): (req: R, ...rest: Rest) => Promise<Response> {
  return async (req, ...rest) => {
    const started = performance.now();
    const route = typeof pattern === "string" ? pattern : pattern(req);
    let status = 500;
    try {
      const res = await handler(req, ...rest);
      status = res.status;
      return res;
    } finally {
      observeHttpRequest({ method: req.method, route, status, ms: performance.now() - started });
    }
  };
}
