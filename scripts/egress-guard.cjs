// A Node.js preload that records, and by default refuses, every attempt to reach anything but
// this machine: TCP and TLS connections (net, tls, http, https, http2 and fetch all go through
// net.Socket#connect), DNS queries for names other than localhost, and UDP datagrams.
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

class EgressBlockedError extends Error {
  constructor(what) {
    super(`egress-guard: refused ${what}: this process may only reach this machine.`);
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
      if (!isLocalName(target)) {
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
  const wrapCallbackApi = (owner, name) => {
    const original = owner[name];
    if (typeof original !== "function") return;
    owner[name] = function guardedDns(hostname, ...rest) {
      if (typeof hostname === "string" && !isLocalName(hostname)) {
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
      if (typeof hostname === "string" && !isLocalName(hostname)) {
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
    if (address && !isLocalName(address)) {
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
      if (!isLocalName(target)) {
        const err = attempt("udp.connect", `${target}:${port}`);
        if (err) throw err;
      }
      return udpConnect.call(this, port, address, ...rest);
    };
  }

  write({ type: "loaded", argv: process.argv.slice(1, 3), block: BLOCK });
}

install();
