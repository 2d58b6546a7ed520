import "server-only";
import { RateLimiterDrizzle, RateLimiterRes } from "rate-limiter-flexible";
import type { Executor } from "@/db/client";
import { rateLimits } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { Actor } from "./actor";

// Requests per minute to the routes that cost a model's time (chat, /v1): per API key, and per
// user across the browser and all of the user's keys, so a second key buys no extra capacity.
// Counted in the database (rate-limiter-flexible's Drizzle store), so every app node shares them.

export interface RequestLimits {
  perUser: number;
  perKey: number;
}

function refused(res: RateLimiterRes, what: string): AppError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new AppError("rate_limited", `Too many requests: at most ${what}. Try again in ${seconds} seconds.`, {
    headers: { "retry-after": String(seconds) },
  });
}

export async function enforceRequestLimits(db: Executor, actor: Actor, limits: RequestLimits): Promise<void> {
  const store = { storeClient: db, schema: rateLimits, clearExpiredByTimeout: false, duration: 60 };
  if (actor.apiKeyId) {
    const perKey = new RateLimiterDrizzle({ ...store, keyPrefix: "requests_key", points: limits.perKey });
    try {
      await perKey.consume(actor.apiKeyId);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw refused(err, `${limits.perKey} a minute per API key`);
      throw err;
    }
  }
  const perUser = new RateLimiterDrizzle({ ...store, keyPrefix: "requests_user", points: limits.perUser });
  try {
    await perUser.consume(actor.id);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw refused(err, `${limits.perUser} a minute per user`);
    throw err;
  }
}
