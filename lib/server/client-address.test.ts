import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, clientAddressFrom, installForwardingPolicy } from "./client-address";

// A client must not choose its own address (to escape per-address sign-in delays) or host.

let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(req.headers));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  installForwardingPolicy({ trustedProxies: 0, trustHost: false });
  await new Promise((resolve) => server.close(resolve));
});

async function seen(headers: Record<string, string>): Promise<Record<string, string>> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { headers });
  return (await res.json()) as Record<string, string>;
}

const forged = {
  "x-forwarded-for": "203.0.113.66",
  "x-forwarded-host": "evil.example",
  "x-forwarded-proto": "https",
  [CLIENT_ADDRESS_HEADER]: "203.0.113.77",
};

describe("the forwarding policy", () => {
  it("without a proxy, ignores forwarding headers a client made up and uses the socket's address", async () => {
    installForwardingPolicy({ trustedProxies: 0, trustHost: false });
    const h = await seen(forged);
    expect(h[CLIENT_ADDRESS_HEADER]).toBe("127.0.0.1");
    expect(h["x-forwarded-for"]).toBeUndefined();
    expect(h["x-forwarded-host"]).toBeUndefined();
    expect(h["x-forwarded-proto"]).toBeUndefined();
  });

  it("behind one proxy, takes the address that proxy saw, not one the client prepended", async () => {
    installForwardingPolicy({ trustedProxies: 1, trustHost: true });
    // The client sent "203.0.113.66"; the proxy appended the address it saw, 198.51.100.9.
    const h = await seen({ ...forged, "x-forwarded-for": "203.0.113.66, 198.51.100.9" });
    expect(h[CLIENT_ADDRESS_HEADER]).toBe("198.51.100.9");
    expect(h["x-forwarded-host"]).toBe("evil.example");
  });

  it("behind a proxy that does not set the host, still drops X-Forwarded-Host", async () => {
    installForwardingPolicy({ trustedProxies: 1, trustHost: false });
    const h = await seen({ ...forged, "x-forwarded-for": "198.51.100.9" });
    expect(h[CLIENT_ADDRESS_HEADER]).toBe("198.51.100.9");
    expect(h["x-forwarded-host"]).toBeUndefined();
  });

  it("reads chains of several proxies from the right", () => {
    expect(clientAddressFrom("10.0.0.2", "6.6.6.6, 192.0.2.1, 10.0.0.1", 2)).toBe("192.0.2.1");
    expect(clientAddressFrom("::ffff:10.0.0.2", undefined, 0)).toBe("10.0.0.2");
    // Fewer hops than configured proxies: the leftmost is the best there is.
    expect(clientAddressFrom("10.0.0.2", undefined, 3)).toBe("10.0.0.2");
  });
});
