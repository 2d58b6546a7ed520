import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The egress guard's allowlist, end to end: inside a network namespace with only loopback and two
// extra local addresses (10.99.0.1 and 10.99.0.2, both on `lo`, so nothing can leave the machine),
// a guarded process reaches the model server the configuration names and is refused, with a
// record, when it tries the other address, a port the configuration does not name, or a name no
// setting mentions.

const GUARD = path.join(process.cwd(), "scripts", "egress-guard.cjs");

const SCRIPT = `
const http = require("node:http");
const net = require("node:net");
const dns = require("node:dns");
const results = {};
const outcome = (p) => p.then(() => "ok", (e) => e.code || e.cause?.code || e.message);
const connect = (host, port) =>
  new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once("connect", () => { s.destroy(); resolve("ok"); });
    s.once("error", (e) => resolve(e.code));
  });
(async () => {
  const servers = await Promise.all(["10.99.0.1", "10.99.0.2"].map((host) => new Promise((resolve) => {
    const srv = http.createServer((req, res) => res.end(JSON.stringify({ object: "list", data: [] })));
    srv.listen(8081, host, () => resolve(srv));
  })));
  results.modelServer = await outcome(fetch("http://10.99.0.1:8081/v1/models").then((r) => r.json()));
  results.otherAddress = await outcome(fetch("http://10.99.0.2:8081/v1/models"));
  results.otherPort = await connect("10.99.0.1", 8082);
  results.allowedRange = await connect("10.20.5.5", 6543);
  results.documentationAddress = await connect("192.0.2.1", 80);
  results.databaseName = await outcome(dns.promises.lookup("db.internal"));
  results.unknownName = await outcome(dns.promises.lookup("example.com"));
  results.allowedName = await connect("registry.internal", 8443);
  for (const s of servers) s.close();
  process.stdout.write(JSON.stringify(results));
})();
`;

function runGuarded(env: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-egress-allow-"));
  const log = path.join(dir, "guard.jsonl");
  const script = path.join(dir, "probe.cjs");
  fs.writeFileSync(script, SCRIPT);
  const inner = [
    "ip link set lo up",
    "ip addr add 10.99.0.1/32 dev lo",
    "ip addr add 10.99.0.2/32 dev lo",
    `exec "${process.execPath}" --require "${GUARD}" "${script}"`,
  ].join(" && ");
  const child = spawnSync("unshare", ["-n", "--", "sh", "-c", inner], {
    encoding: "utf8",
    env: { NODE_ENV: "test", PATH: process.env.PATH ?? "/usr/bin:/bin", EGRESS_GUARD_LOG: log, ...env },
    timeout: 30_000,
  });
  if (child.status !== 0)
    throw new Error(
      `The guarded probe failed (exit ${child.status}; this test needs root for \`unshare -n\`): ${child.stderr}`,
    );
  const lines = fs
    .readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; kind?: string; target?: string; allow?: string[] });
  fs.rmSync(dir, { recursive: true, force: true });
  return { results: JSON.parse(child.stdout) as Record<string, string>, lines };
}

describe("the egress guard's allowlist", () => {
  it("lets through exactly the configured hosts and refuses and records everything else", () => {
    const { results, lines } = runGuarded({
      MODEL_SERVER_URL: "http://10.99.0.1:8081/v1",
      DATABASE_URL: "postgres://kq:secret@db.internal:5432/kq",
      EGRESS_ALLOW: "10.20.0.0/16, registry.internal:8443",
    });
    expect(results).toEqual({
      modelServer: "ok",
      otherAddress: "EGRESS_BLOCKED",
      otherPort: "EGRESS_BLOCKED",
      // Allowed by the range: the guard lets it go, and the namespace has no route for it.
      allowedRange: "ENETUNREACH",
      documentationAddress: "EGRESS_BLOCKED",
      // Allowed as DATABASE_URL's host: the query is made, and there is no resolver to answer it.
      databaseName: expect.not.stringMatching(/EGRESS_BLOCKED|^ok$/),
      unknownName: "EGRESS_BLOCKED",
      // An allowed name is looked up first; with no resolver here the lookup fails, not the guard.
      allowedName: expect.not.stringMatching(/EGRESS_BLOCKED|^ok$/),
    });
    const loaded = lines.find((l) => l.type === "loaded")!;
    expect(loaded.allow).toEqual([
      "db.internal:5432 (DATABASE_URL)",
      "10.99.0.1:8081 (MODEL_SERVER_URL)",
      "10.20.0.0/16",
      "registry.internal:8443 (EGRESS_ALLOW)",
    ]);
    const refused = lines.filter((l) => l.type === "attempt").map((l) => `${l.kind} ${l.target}`);
    expect(refused.sort()).toEqual(
      [
        "connect 10.99.0.2:8081",
        "connect 10.99.0.1:8082",
        "connect 192.0.2.1:80",
        "dns.promises.lookup example.com",
      ].sort(),
    );
  });

  it("allows nothing but this machine when nothing is configured", () => {
    const { results, lines } = runGuarded({});
    expect(results.modelServer).toBe("EGRESS_BLOCKED");
    expect(results.allowedRange).toBe("EGRESS_BLOCKED");
    expect(results.databaseName).toBe("EGRESS_BLOCKED");
    expect(lines.find((l) => l.type === "loaded")!.allow).toEqual([]);
    expect(lines.filter((l) => l.type === "attempt").length).toBe(8);
  });
});
