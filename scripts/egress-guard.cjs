// A Node.js preload that records, and by default refuses, every attempt to reach anything but
// this machine and the hosts the configuration names: TCP and TLS connections (net, tls, http,
// https, http2 and fetch all go through net.Socket#connect), DNS queries, and UDP datagrams.
//
// Allowed besides loopback: the hosts (and ports) of DATABASE_URL, DATABASE_MIGRATION_URL,
// OIDC_ISSUER, MODEL_SERVER_URL and S3_ENDPOINT, and each entry of EGRESS_ALLOW (comma-separated
// `host`, `host:port`, `[v6]:port` or an IPv4 `a.b.c.d/nn` range). DNS queries are allowed for
// the allowed names only. The list is read from the environment when a connection is attempted,
// not when the guard loads, so settings that the app reads from its .env files count too.
//
//   NODE_OPTIONS="--require ./scripts/egress-guard.cjs" EGRESS_GUARD_LOG=/tmp/egress.jsonl npm start
//
// NODE_OPTIONS reaches every Node.js process the server starts and every worker thread. Each
// process and thread writes a "loaded" line when the guard is installed, and an "attempt" line
// (destination and stack) for each refused call. EGRESS_GUARD=record lets the calls through
// after recording them. Native code that opens sockets itself (Rust, C++) is out of a preload's
// reach: run under `strace -f -e trace=connect,sendto,sendmsg` or in a network namespace for that.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a --require preload is CommonJS, loaded before any module system hook */

const fs = require("node:fs");
const net = require("node:net");
const dgram = require("node:dgram");
const dns = require("node:dns");
const { threadId } = require("node:worker_threads");

const LOG = process.env.EGRESS_GUARD_LOG;
const BLOCK = process.env.EGRESS_GUARD !== "record";
const GUARDED = Symbol.for("knowledge-qa.egress-guard");

function write(entry) {
  const line = JSON.stringify({ time: new Date().toISOString(), pid: process.pid, thread: threadId, ...entry }) + "\n";
  if (LOG) fs.appendFileSync(LOG, line);
  else process.stderr.write(`egress-guard: ${line}`);
}

function isLoopbackAddress(host) {
  if (net.isIPv4(host)) return host.startsWith("127.");
  if (net.isIPv6(host)) {
    const h = host.toLowerCase();
    return h === "::1" || h === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(h);
  }
  return false;
}

/**
 * Only what glibc answers from /etc/hosts without asking a resolver: "localhost", loopback
 * addresses and the unspecified address. ("anything.localhost" is loopback by RFC 6761, but glibc sends it to the DNS server.)
 */
function isLocalName(name) {
  const n = String(name).toLowerCase().replace(/\.$/, "");
  const bare = n.replace(/^\[|\]$/g, "");
  // The unspecified address means this machine: a server binding every interface looks it up
  // (Next.js's standalone server does), and Linux connects it to loopback.
  return n === "localhost" || isLoopbackAddress(bare) || bare === "0.0.0.0" || bare === "::";
}

const DEFAULT_PORTS = { "postgres:": 5432, "postgresql:": 5432, "http:": 80, "https:": 443 };
const CONFIGURED = ["DATABASE_URL", "DATABASE_MIGRATION_URL", "OIDC_ISSUER", "MODEL_SERVER_URL", "S3_ENDPOINT"];

function bare(host) {
  return String(host)
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
}

/** The hosts of a URL, with its port; PostgreSQL URLs may name several (`h1:5432,h2:5433`). */
function urlEntries(name, value) {
  const m = /^([a-z][a-z0-9+.-]*:)\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(value);
  if (!m) return [];
  const scheme = m[1].toLowerCase();
  return m[2]
    .split(",")
    .filter(Boolean)
    .map((hostPort) => {
      const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
      const [host, port] = v6 ? [v6[1], v6[2]] : hostPort.split(":");
      return {
        host: bare(decodeURIComponent(host)),
        port: port ? Number(port) : (DEFAULT_PORTS[scheme] ?? null),
        from: name,
      };
    })
    .filter((e) => e.host);
}

function ipv4ToInt(ip) {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

/** EGRESS_ALLOW: `host`, `host:port`, `[v6]:port`, `v6`, or an IPv4 range `a.b.c.d/nn`. */
function allowEntries(value) {
  return String(value)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(item);
      if (cidr && net.isIPv4(cidr[1]) && Number(cidr[2]) <= 32) {
        const bits = Number(cidr[2]);
        const size = 2 ** (32 - bits);
        const base = Math.floor(ipv4ToInt(cidr[1]) / size) * size;
        return { range: [base, base + size - 1], from: "EGRESS_ALLOW", item };
      }
      const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
      if (v6) return { host: bare(v6[1]), port: v6[2] ? Number(v6[2]) : null, from: "EGRESS_ALLOW" };
      if (net.isIPv6(item)) return { host: bare(item), port: null, from: "EGRESS_ALLOW" };
      const [host, port] = item.split(":");
      return { host: bare(host), port: port ? Number(port) : null, from: "EGRESS_ALLOW" };
    });
}

let cachedKey = null;
let cachedList = [];

/** The allowlist from the environment as it is now (recomputed only when a variable changed). */
function allowlist() {
  const key = [...CONFIGURED, "EGRESS_ALLOW"].map((n) => process.env[n] ?? "").join("\u0000");
  if (key !== cachedKey) {
    cachedKey = key;
    cachedList = [
      ...CONFIGURED.flatMap((n) => (process.env[n] ? urlEntries(n, process.env[n]) : [])),
      ...(process.env.EGRESS_ALLOW ? allowEntries(process.env.EGRESS_ALLOW) : []),
    ];
  }
  return cachedList;
}

/** Whether a connection to host:port (port null: a DNS query for the name) is configured. */
function isAllowed(host, port) {
  const h = bare(host);
  return allowlist().some((e) => {
    if (e.range) return net.isIPv4(h) && ipv4ToInt(h) >= e.range[0] && ipv4ToInt(h) <= e.range[1];
    if (e.host !== h) return false;
    return port === null || e.port === null || Number(port) === e.port;
  });
}

function describeAllowlist() {
  return allowlist().map((e) => (e.range ? e.item : `${e.host}${e.port ? `:${e.port}` : ""} (${e.from})`));
}

class EgressBlockedError extends Error {
  constructor(what) {
    super(`egress-guard: refused ${what}: this process may only reach this machine and the configured hosts.`);
    this.name = "EgressBlockedError";
    this.code = "EGRESS_BLOCKED";
  }
}

function attempt(kind, target) {
  // The caller's frames, not the guard's own.
  const stack = new Error().stack
    .split("\n")
    .slice(1)
    .map((l) => l.trim().replace(/^at /, ""))
    .filter((l) => !l.includes("egress-guard.cjs"));
  write({ type: "attempt", kind, target, stack: stack.slice(0, 12) });
  return BLOCK ? new EgressBlockedError(`${kind} to ${target}`) : null;
}

function install() {
  if (globalThis[GUARDED]) return;
  globalThis[GUARDED] = true;

  // --- TCP and TLS: every client socket connects through here --------------------------------
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    // Node's own callers pass [options, callback] as one array (normalized arguments).
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    let host;
    let port;
    let ipcPath;
    if (first !== null && typeof first === "object") {
      ipcPath = first.path;
      host = first.host;
      port = first.port;
    } else if (typeof first === "string" && !/^\d+$/.test(first)) {
      ipcPath = first;
    } else {
      port = first;
      host = typeof args[1] === "string" ? args[1] : undefined;
    }
    if (!ipcPath) {
      const target = host ?? "localhost";
      if (!isLocalName(target) && !isAllowed(target, port ?? null)) {
        const err = attempt("connect", `${target}:${port}`);
        if (err) {
          process.nextTick(() => this.destroy(err));
          return this;
        }
      }
    }
    return connect.apply(this, args);
  };

  // --- DNS: a lookup is already a packet to a resolver ----------------------------------------
  // ...except lookup() of an address literal, which getaddrinfo answers without asking anyone
  // (a server listening on a local address calls it); the connection is checked when made.
  const needsCheck = (name, hostname) =>
    typeof hostname === "string" &&
    !isLocalName(hostname) &&
    !(name === "lookup" && net.isIP(bare(hostname))) &&
    !isAllowed(hostname, null);
  const wrapCallbackApi = (owner, name) => {
    const original = owner[name];
    if (typeof original !== "function") return;
    owner[name] = function guardedDns(hostname, ...rest) {
      if (needsCheck(name, hostname)) {
        const err = attempt(`dns.${name}`, hostname);
        const callback = rest[rest.length - 1];
        if (err && typeof callback === "function") {
          process.nextTick(() => callback(err));
          return undefined;
        }
        if (err) throw err;
      }
      return original.call(this, hostname, ...rest);
    };
  };
  const wrapPromiseApi = (owner, name) => {
    const original = owner[name];
    if (typeof original !== "function") return;
    owner[name] = function guardedDnsPromise(hostname, ...rest) {
      if (needsCheck(name, hostname)) {
        const err = attempt(`dns.promises.${name}`, hostname);
        if (err) return Promise.reject(err);
      }
      return original.call(this, hostname, ...rest);
    };
  };
  const RESOLVE = [
    "resolve",
    "resolve4",
    "resolve6",
    "resolveAny",
    "resolveCaa",
    "resolveCname",
    "resolveMx",
    "resolveNaptr",
    "resolveNs",
    "resolvePtr",
    "resolveSoa",
    "resolveSrv",
    "resolveTxt",
    "reverse",
  ];
  for (const name of ["lookup", ...RESOLVE]) {
    wrapCallbackApi(dns, name);
    wrapPromiseApi(dns.promises, name);
  }
  for (const name of RESOLVE) {
    wrapCallbackApi(dns.Resolver.prototype, name);
    wrapPromiseApi(dns.promises.Resolver.prototype, name);
  }

  // --- UDP ------------------------------------------------------------------------------------
  const send = dgram.Socket.prototype.send;
  dgram.Socket.prototype.send = function guardedSend(...args) {
    // send(msg, [offset, length,] port, address, callback): the address is the first string after the message.
    const address = args.slice(1).find((a) => typeof a === "string");
    // The port is the argument just before the address in every form of send().
    const before = args[args.indexOf(address, 1) - 1];
    const port = typeof before === "number" ? before : null;
    if (address && !isLocalName(address) && !isAllowed(address, port)) {
      const err = attempt("udp.send", address);
      if (err) {
        const callback = args[args.length - 1];
        if (typeof callback === "function") process.nextTick(() => callback(err));
        return undefined;
      }
    }
    return send.apply(this, args);
  };
  const udpConnect = dgram.Socket.prototype.connect;
  if (typeof udpConnect === "function") {
    dgram.Socket.prototype.connect = function guardedUdpConnect(port, address, ...rest) {
      const target = typeof address === "string" ? address : "localhost";
      if (!isLocalName(target) && !isAllowed(target, port)) {
        const err = attempt("udp.connect", `${target}:${port}`);
        if (err) throw err;
      }
      return udpConnect.call(this, port, address, ...rest);
    };
  }

  write({ type: "loaded", argv: process.argv.slice(1, 3), block: BLOCK, allow: describeAllowlist() });
}

install();
