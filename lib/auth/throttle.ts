import "server-only";
import { createHash } from "node:crypto";
import { RateLimiterDrizzle, RateLimiterRes } from "rate-limiter-flexible";
import type { Executor } from "@/db/client";
import { rateLimits } from "@/db/schema";

// Failed sign-ins slow down the one who fails, never lock the account. Each attempt is judged
// by the tiers that apply to it; a tier that has seen more than its free failures makes the next
// attempt wait, doubling with each further failure up to a ceiling:
//  - account + client address: the attacker's own address waits; the user elsewhere does not;
//  - account, across addresses: stops a guessing botnet, but browsers holding this account's
//    device cookie (set at a successful sign-in) skip it, so nobody can hold it against the user;
//  - client address, across accounts: stops password spraying; device-cookie holders skip it too,
//    so one colleague behind the hospital's NAT cannot keep everyone else out;
//  - device cookie: a stolen cookie buys no more guesses than one address.
// Counters live in Postgres (PGlite in embedded mode) through rate-limiter-flexible's Drizzle
// store, keyed by digests: every app node sees the same counts and the table holds no emails.

export interface ThrottlePolicy {
  /** Failures per account and address before delays start. */
  freeFailures: number;
  /** Failures per account, across addresses, before delays start (browsers without its device cookie). */
  accountFreeFailures: number;
  /** Failures per address, across accounts, before delays start (browsers without a device cookie). */
  addressFreeFailures: number;
  /** The longest delay, in seconds. */
  maxDelaySeconds: number;
}

export interface SignInAttempt {
  /** Normalised email. */
  email: string;
  /** The client's address as the server or its trusted proxy saw it; null when unknown. */
  address: string | null;
  /** The id of a device cookie that is valid for this email, if the browser sent one. */
  deviceId: string | null;
}

export type ThrottleDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

// Failures are remembered for a day from the first; a day without failures starts afresh.
const MEMORY_SECONDS = 24 * 60 * 60;

interface Tier {
  name: "pair" | "account" | "address" | "device";
  key: string;
  free: number;
}

function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("base64url");
}

function tiersOf(attempt: SignInAttempt, policy: ThrottlePolicy): Tier[] {
  const address = attempt.address ?? "unknown";
  const tiers: Tier[] = [{ name: "pair", key: digest("pair", attempt.email, address), free: policy.freeFailures }];
  if (attempt.deviceId) {
    tiers.push({ name: "device", key: digest("device", attempt.deviceId), free: policy.freeFailures });
  } else {
    tiers.push({ name: "account", key: digest("account", attempt.email), free: policy.accountFreeFailures });
    tiers.push({ name: "address", key: digest("address", address), free: policy.addressFreeFailures });
  }
  return tiers;
}

/** Seconds to wait after the `n`th failure beyond the free ones: 1, 2, 4, … up to the ceiling. */
export function delayAfter(n: number, maxDelaySeconds: number): number {
  return Math.min(2 ** Math.max(0, n - 1), maxDelaySeconds);
}

export function createSignInThrottle(db: Executor, policy: ThrottlePolicy) {
  const store = { storeClient: db, schema: rateLimits, clearExpiredByTimeout: false };
  // Counts failures; never refuses by itself.
  const failures = new RateLimiterDrizzle({
    ...store,
    keyPrefix: "signin_failures",
    points: Number.MAX_SAFE_INTEGER,
    duration: MEMORY_SECONDS,
  });
  // Open or closed: one attempt per second passes an open gate (so a burst sent at once is not
  // judged all together), and a failure closes it for the current delay.
  const gate = new RateLimiterDrizzle({ ...store, keyPrefix: "signin_gate", points: 1, duration: 1 });

  return {
    /** Whether this attempt may be checked now. Call before verifying the password. */
    async check(attempt: SignInAttempt): Promise<ThrottleDecision> {
      let wait = 0;
      for (const tier of tiersOf(attempt, policy)) {
        const counted = await failures.get(tier.key);
        if (!counted || counted.consumedPoints < tier.free) continue;
        try {
          await gate.consume(tier.key);
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          wait = Math.max(wait, Math.ceil(err.msBeforeNext / 1000));
        }
      }
      return wait > 0 ? { ok: false, retryAfterSeconds: wait } : { ok: true };
    },

    /** Counts a failed attempt in every tier and closes the gates of those past their free failures. */
    async fail(attempt: SignInAttempt): Promise<void> {
      for (const tier of tiersOf(attempt, policy)) {
        const counted = await failures.consume(tier.key);
        const beyond = counted.consumedPoints - tier.free + 1;
        if (beyond > 0) await gate.block(tier.key, delayAfter(beyond, policy.maxDelaySeconds));
      }
    },

    /** A successful sign-in forgets the failures of this account, not those of the address across accounts. */
    async succeed(attempt: SignInAttempt): Promise<void> {
      for (const tier of tiersOf(attempt, policy)) {
        if (tier.name === "address") continue;
        await failures.delete(tier.key);
        await gate.delete(tier.key);
      }
      if (attempt.deviceId) {
        // The account tier is skipped for device-cookie holders; a success still clears it.
        const account = digest("account", attempt.email);
        await failures.delete(account);
        await gate.delete(account);
      }
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
