import http from "node:http";

// Next.js copies X-Forwarded-For/-Host/-Proto from the request when a client sends them and only
// fills them in from the socket when absent, so any client could name its own address (escaping
// per-address sign-in delays) or host. This installs, once per process, a check at the socket:
// with no trusted proxy, client-sent forwarding headers are dropped and the socket's address is
// used; behind TRUSTED_PROXIES proxies, the address is the one the outermost trusted proxy saw,
// and X-Forwarded-Host/-Proto are kept only when AUTH_TRUST_HOST says the proxy sets them. The
// result travels to route handlers and server actions in one header of our own.

export const CLIENT_ADDRESS_HEADER = "x-kq-client-address";

const FORWARDED_HOST_HEADERS = ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "forwarded"];

export interface ForwardingPolicy {
  trustedProxies: number;
  trustHost: boolean;
}

/** The client's address: the socket's, or the entry `trustedProxies` from the right of X-Forwarded-For. */
export function clientAddressFrom(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: number,
): string | null {
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const hops = [...chain, ...(socketAddress ? [socketAddress] : [])];
  // hops[-1] is the socket (the nearest proxy, or the client itself when there is none).
  const address = hops[hops.length - 1 - trustedProxies] ?? hops[0];
  return address ? address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "") : null;
}

/** Rewrites one incoming request's headers by the policy; exported for tests. */
export function applyForwardingPolicy(req: http.IncomingMessage, policy: ForwardingPolicy): void {
  const address = clientAddressFrom(req.socket?.remoteAddress, req.headers["x-forwarded-for"], policy.trustedProxies);
  if (policy.trustedProxies === 0) delete req.headers["x-forwarded-for"];
  if (!policy.trustHost) for (const name of FORWARDED_HOST_HEADERS) delete req.headers[name];
  if (address) req.headers[CLIENT_ADDRESS_HEADER] = address;
  else delete req.headers[CLIENT_ADDRESS_HEADER];
}

const INSTALLED = Symbol.for("knowledge-qa.forwarding-policy");

/** Applies the policy to every request any HTTP server in this process receives. */
export function installForwardingPolicy(policy: ForwardingPolicy): void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: ForwardingPolicy };
  if (proto[INSTALLED]) {
    proto[INSTALLED] = policy;
    return;
  }
  proto[INSTALLED] = policy;
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request") applyForwardingPolicy(args[0] as http.IncomingMessage, proto[INSTALLED]!);
    return (emit as (event: string | symbol, ...args: unknown[]) => boolean).call(this, event, ...args);
  } as typeof proto.emit;
}

/** The client address a request carries after the policy ran; null outside a server (tests, the CLI). */
export function clientAddressOf(headers: Headers): string | null {
  return headers.get(CLIENT_ADDRESS_HEADER);
}
