import "server-only";
import { cache } from "react";
import { forbidden, redirect, unauthorized } from "next/navigation";
import { z } from "zod";
import type { Database } from "@/db/client";
import { getDb } from "@/lib/server/db";
import type { ApiKeyScope, Role } from "@/db/schema";
import { env } from "@/lib/env";
import { AppError, fromZodError, toAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { observeHttpRequest, routePattern } from "@/lib/metrics/http";
import { secured } from "@/lib/server/security-context";
import { actorFromApiKey, actorFromSession, type Actor } from "./actor";
import { requiredScope } from "./api-key-policy";
import { checkBearerSecret } from "./bearer-secret";
import { enforceRequestLimits } from "./request-limits";
import { auth, sessionIdOf } from "./config";
import { PENDING_STEP_PATH, resolveSession, sessionPolicy, type PendingStep, type SessionState } from "./sessions";

type PendingState = Extract<SessionState, { kind: "pending" }>;

// Every page, route handler and server action starts with one of these. Identity comes from
// the session cookie (or an API key on /api and /v1); what the identity may do is read from
// the database on every call, so a disabled user or a removed role stops working at once.

export type { Actor };

// The session is read before the database is opened: reading cookies is what tells Next.js a
// page is dynamic, so a build never opens (or migrates) a database while prerendering.
async function sessionIds(): Promise<{ userId: string; sessionId: string } | null> {
  const session = await auth();
  const userId = session?.user?.id;
  const sessionId = sessionIdOf(session);
  // A cookie that names no server-side session (one issued before sessions were recorded) is no session.
  if (!userId || !sessionId) return null;
  return { userId, sessionId };
}

async function sessionActor(db?: Database): Promise<Actor | null> {
  const ids = await sessionIds();
  if (!ids) return null;
  return actorFromSession(db ?? (await getDb()), ids, sessionPolicy(env()));
}

/** The id of this request's server-side session (complete or not), for actions that act on it. */
export async function currentSessionId(): Promise<string | null> {
  return (await sessionIds())?.sessionId ?? null;
}

/** The state of this request's session (complete, or a sign-in step still to do), once per render. */
const currentSessionState = cache(async (): Promise<SessionState | null> => {
  const ids = await sessionIds();
  if (!ids) return null;
  return resolveSession(await getDb(), ids, sessionPolicy(env()));
});

function anyRole(actor: Actor, roles: Role | Role[]): boolean {
  const wanted = Array.isArray(roles) ? roles : [roles];
  return wanted.some((r) => actor.roles.includes(r));
}

// ---- pages (server components) -------------------------------------------------------------

/**
 * The signed-in user, or null. Cached for one server render, so the layout and the page share
 * one database read; each new request reads afresh.
 */
export const currentUser = cache(async (): Promise<Actor | null> => sessionActor());

/** Pages: redirects to sign-in when there is no valid session. */
export async function requireUser(): Promise<Actor> {
  const actor = await currentUser();
  if (actor) return actor;
  const state = await currentSessionState();
  if (state?.kind === "pending") redirect(PENDING_STEP_PATH[state.step]);
  redirect("/login");
}

/**
 * Pages of an unfinished sign-in (replacing a one-time password …): only a session that is
 * waiting for exactly this step gets in; a finished one goes home, none goes to sign-in.
 */
export async function requirePendingStep(step: PendingStep): Promise<PendingState> {
  const state = await currentSessionState();
  if (!state) redirect("/login");
  if (state.kind === "active") redirect("/");
  if (state.step !== step) redirect(PENDING_STEP_PATH[state.step]);
  return state;
}

/** Pages: answers 403 unless the user holds one of the roles. */
export async function requireRole(roles: Role | Role[]): Promise<Actor> {
  const actor = await requireUser();
  if (!anyRole(actor, roles)) forbidden();
  return actor;
}

// ---- route handlers ------------------------------------------------------------------------

export interface ApiContext<P> {
  req: Request;
  params: P;
  actor: Actor;
  db: Database;
}

type RouteContext<P> = { params: Promise<P> };

async function apiActor(req: Request, db: Database): Promise<Actor> {
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw new AppError("unauthorized", "The Authorization header must be 'Bearer <api key>'.");
    return actorFromApiKey(db, match[1]);
  }
  const actor = await sessionActor(db);
  if (!actor) throw new AppError("unauthorized", "Sign in or send an API key as 'Authorization: Bearer <key>'.");
  // Cookie-authenticated writes must come from our own pages.
  if (!["GET", "HEAD", "OPTIONS"].includes(req.method)) {
    const origin = req.headers.get("origin");
    const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
    if (origin && host && originHost(origin) !== host) {
      throw new AppError("forbidden", "Cross-origin request refused.");
    }
  }
  return actor;
}

function originHost(origin: string): string | null {
  // Browsers send the literal "null" from sandboxed frames and some redirects.
  if (!URL.canParse(origin)) return null;
  return new URL(origin).host;
}

export function errorResponse(err: unknown): Response {
  const appError = toAppError(err);
  if (!appError.expose) log.error("request failed", { code: appError.code, err: appError.cause ?? appError });
  return appError.toResponse();
}

/**
 * Wraps a route handler: authenticates (session or API key), checks roles, turns thrown errors
 * into `{ error: { code, message } }` with the right status, and never leaks a stack trace.
 * Responses get the API security headers (a policy the route set itself is kept).
 */
export function apiRoute<P = Record<string, never>>(
  options: {
    roles?: Role | Role[];
    /**
     * What an API key must be scoped for to call this route; when not named, chat for rate-limited
     * routes, admin for role-restricted routes and writes, read for the other reads (ADR 0014).
     */
    scope?: ApiKeyScope;
    /** Counts the request against the per-user and per-key limits (routes that spend a model's time). */
    rateLimited?: boolean;
    /** Error body format; the OpenAI-compatible routes answer errors the way OpenAI clients expect. */
    errorResponse?: (err: AppError) => Response;
  },
  handler: (ctx: ApiContext<P>) => Promise<Response | unknown>,
) {
  return async (req: Request, context: RouteContext<P>): Promise<Response> => {
    const started = performance.now();
    // Params name the route pattern the request is measured under, whatever happens after them.
    let params = {} as P;
    let status = 500;
    try {
      if (context?.params) params = await context.params;
      const db = await getDb();
      const actor = await apiActor(req, db);
      if (actor.via === "api_key") {
        const scope = requiredScope(req.method, options);
        const scopes = actor.apiKeyScopes ?? [];
        if (!scopes.includes(scope)) {
          throw new AppError(
            "forbidden",
            `This API key is not scoped for this request: it needs the "${scope}" scope and has ${scopes.join(", ") || "none"}.`,
          );
        }
      }
      if (options.roles && !anyRole(actor, options.roles)) {
        throw new AppError("forbidden", "You do not have permission to do this.");
      }
      if (options.rateLimited) {
        const e = env();
        await enforceRequestLimits(db, actor, {
          perUser: e.USER_REQUESTS_PER_MINUTE,
          perKey: e.API_KEY_REQUESTS_PER_MINUTE,
        });
      }
      const result = await handler({ req, params, actor, db });
      const res = result instanceof Response ? result : Response.json(result);
      status = res.status;
      return secured(req, res);
    } catch (err) {
      let res: Response;
      if (options.errorResponse) {
        const appError = toAppError(err);
        if (!appError.expose) log.error("request failed", { code: appError.code, err: appError.cause ?? appError });
        res = options.errorResponse(appError);
      } else {
        res = errorResponse(err);
      }
      status = res.status;
      return secured(req, res);
    } finally {
      observeHttpRequest({ method: req.method, route: routeOf(req, params), status, ms: performance.now() - started });
    }
  };
}

function routeOf(req: Request, params: unknown): string {
  return routePattern(new URL(req.url).pathname, (params ?? {}) as Record<string, string | string[]>);
}

/**
 * Wraps a route handler for a machine that holds a shared secret instead of a user account
 * (Prometheus on /api/metrics). Only `Authorization: Bearer <secret>` opens it: a session or an
 * API key never does, so a signed-in browser cannot read it and the secret grants nothing else.
 * With no secret configured the route answers 404 saying how to switch it on.
 */
export function secretRoute(
  options: { route: string; secret: () => string | undefined; disabled: string; realm: string },
  handler: (ctx: { req: Request }) => Promise<Response>,
) {
  return async (req: Request): Promise<Response> => {
    const started = performance.now();
    let status = 500;
    try {
      const secret = options.secret();
      if (!secret) throw new AppError("not_found", options.disabled);
      const check = checkBearerSecret(req.headers.get("authorization"), secret);
      if (check === "missing" || check === "malformed") {
        throw new AppError("unauthorized", `Send the ${options.realm} token as 'Authorization: Bearer <token>'.`, {
          headers: { "www-authenticate": `Bearer realm="${options.realm}"` },
        });
      }
      if (check !== "ok") throw new AppError("forbidden", `The ${options.realm} token is not valid.`);
      const res = await handler({ req });
      status = res.status;
      return secured(req, res);
    } catch (err) {
      const res = errorResponse(err);
      status = res.status;
      return secured(req, res);
    } finally {
      observeHttpRequest({ method: req.method, route: options.route, status, ms: performance.now() - started });
    }
  };
}

/** Parses a JSON body with a zod schema; a missing or malformed body is a 400 naming the problem. */
export async function readJson<T extends z.ZodType>(req: Request, schema: T): Promise<z.infer<T>> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().includes("application/json")) {
    throw new AppError(
      "unsupported_media_type",
      "Send the request body as JSON with 'Content-Type: application/json'.",
    );
  }
  let body: unknown;
  try {
    body = await req.json();
  } catch (err) {
    throw new AppError("invalid_request", "The request body is not valid JSON.", { cause: err });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw fromZodError(parsed.error, "request body");
  return parsed.data;
}

export function parseParams<T extends z.ZodType>(params: unknown, schema: T): z.infer<T> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new AppError("not_found", "No such resource.", { cause: parsed.error });
  return parsed.data;
}

// ---- server actions ------------------------------------------------------------------------

export type ActionResult<T = undefined> =
  | { ok: true; data: T; message?: string }
  | { ok: false; error: { code: string; message: string; fields?: Record<string, string> } };

/**
 * Wraps a server action, which is a public endpoint: requires a session (never an API key),
 * checks roles, validates input with zod and returns a result the form can show.
 */
export function guardedAction<S extends z.ZodType, T>(
  options: { roles?: Role | Role[] },
  schema: S,
  handler: (ctx: { input: z.infer<S>; actor: Actor; db: Database }) => Promise<T>,
) {
  return async (_previous: unknown, formData: FormData | z.input<S>): Promise<ActionResult<T>> => {
    try {
      const db = await getDb();
      const actor = await sessionActor(db);
      if (!actor) unauthorized();
      if (options.roles && !anyRole(actor, options.roles)) {
        throw new AppError("forbidden", "You do not have permission to do this.");
      }
      const raw = formData instanceof FormData ? formDataToObject(formData) : formData;
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const fields: Record<string, string> = {};
        for (const issue of parsed.error.issues) fields[issue.path.join(".")] ??= issue.message;
        return {
          ok: false,
          error: { code: "invalid_request", message: fromZodError(parsed.error, "input").message, fields },
        };
      }
      const data = await handler({ input: parsed.data, actor, db });
      return { ok: true, data };
    } catch (err) {
      if (isNextControlFlow(err)) throw err;
      const appError = toAppError(err);
      if (!appError.expose) log.error("action failed", { code: appError.code, err: appError.cause ?? appError });
      return { ok: false, error: appError.toJSON().error };
    }
  };
}

/**
 * Wraps the server action of a sign-in step: like guardedAction, but for a session that is
 * waiting for this step and for nothing else; a complete session or another step is refused.
 */
export function pendingStepAction<S extends z.ZodType, T>(
  step: PendingStep,
  schema: S,
  handler: (ctx: { input: z.infer<S>; state: PendingState; db: Database }) => Promise<T>,
) {
  return async (_previous: unknown, formData: FormData | z.input<S>): Promise<ActionResult<T>> => {
    try {
      const db = await getDb();
      const ids = await sessionIds();
      const state = ids ? await resolveSession(db, ids, sessionPolicy(env())) : null;
      if (state?.kind !== "pending" || state.step !== step) unauthorized();
      const raw = formData instanceof FormData ? formDataToObject(formData) : formData;
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const fields: Record<string, string> = {};
        for (const issue of parsed.error.issues) fields[issue.path.join(".")] ??= issue.message;
        return {
          ok: false,
          error: { code: "invalid_request", message: fromZodError(parsed.error, "input").message, fields },
        };
      }
      return { ok: true, data: await handler({ input: parsed.data, state, db }) };
    } catch (err) {
      if (isNextControlFlow(err)) throw err;
      const appError = toAppError(err);
      if (!appError.expose) log.error("action failed", { code: appError.code, err: appError.cause ?? appError });
      return { ok: false, error: appError.toJSON().error };
    }
  };
}

function formDataToObject(formData: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(formData.keys())) {
    if (key.startsWith("$ACTION")) continue;
    const values = formData.getAll(key);
    out[key] = key.endsWith("[]") || values.length > 1 ? values : values[0];
  }
  return out;
}

// redirect(), notFound(), forbidden() and unauthorized() work by throwing; let them through.
function isNextControlFlow(err: unknown): boolean {
  const digest = (err as { digest?: unknown } | null)?.digest;
  return (
    typeof digest === "string" && (digest.startsWith("NEXT_REDIRECT") || digest.startsWith("NEXT_HTTP_ERROR_FALLBACK"))
  );
}
