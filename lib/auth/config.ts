import "server-only";
import { createHmac } from "node:crypto";
import { cookies } from "next/headers";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { NextRequest } from "next/server";
import { z } from "zod";
import { loginEmailSchema } from "@/lib/users/schemas";
import { getUserById } from "@/db/queries/users";
import { getDb } from "@/lib/server/db";
import { appendAudit } from "@/lib/audit/log";
import { env, type Env } from "@/lib/env";
import { log } from "@/lib/log";
import { readOrCreateSecret } from "@/lib/secrets";
import { clientAddressOf } from "@/lib/server/client-address";
import { checkCredentials, type SignInPolicy } from "./credentials";
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_SECONDS } from "./device-cookie";
import { closeSession, openSession } from "./sessions";
import { findOidcUser, OIDC_PROVIDER_ID, parseRoleMap, provisionOidcUser, rolesFromClaim } from "./oidc";

// Auth.js carries only the user id in its signed, expiring JWT cookie. Roles, groups and the
// disabled flag are never taken from the token: guards read them from the database.

class SignInRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    // The code travels in a URL; it names the reason class, never whether the account exists.
    this.code = code;
  }
}

const credentialsInput = z.object({ email: loginEmailSchema, password: z.string().min(1).max(1024) });

export { OIDC_PROVIDER_ID };

/**
 * What an operator needs to fix a failed sign-in: Auth.js's error type ("CallbackRouteError"),
 * the underlying message ("unexpected JWT "aud" claim value") and any OAuth error the identity
 * provider answered ("invalid_client"). Class names are minified in the production build and
 * the error's own message is only a documentation link.
 */
function authErrorFields(error: Error): Record<string, string> {
  const fields: Record<string, string> = {
    type: "type" in error && typeof error.type === "string" ? error.type : error.name,
  };
  const cause = (error.cause ?? {}) as { err?: unknown; provider?: unknown };
  const inner =
    cause.err instanceof Error ? (cause.err as Error & { error?: unknown; error_description?: unknown }) : undefined;
  fields.cause = inner?.message ?? error.message;
  if (typeof cause.provider === "string") fields.provider = cause.provider;
  if (typeof inner?.error === "string") fields.idpError = inner.error;
  if (typeof inner?.error_description === "string") fields.idpErrorDescription = inner.error_description;
  return fields;
}

/** The sign-in throttle's settings; the device-cookie key is derived from the session signing key. */
export function signInPolicy(e: Env, authSecret: string): SignInPolicy {
  return {
    freeFailures: e.LOGIN_MAX_FAILURES,
    accountFreeFailures: e.LOGIN_ACCOUNT_MAX_FAILURES,
    addressFreeFailures: e.LOGIN_ADDRESS_MAX_FAILURES,
    maxDelaySeconds: Math.round(e.LOGIN_MAX_DELAY_MINUTES * 60),
    auditWindowMinutes: e.LOGIN_FAILURE_AUDIT_MINUTES,
    deviceSecret: createHmac("sha256", authSecret).update("device-cookie").digest("base64url"),
  };
}

/** The sign-in throttle's settings for this server, for the steps after the password (lib/auth/mfa.ts). */
export function currentSignInPolicy(): SignInPolicy {
  const e = env();
  return signInPolicy(e, e.AUTH_SECRET ?? readOrCreateSecret(e.dataDir, "auth-secret"));
}

/** The issuer that signed the ID token (Auth.js has checked it against OIDC_ISSUER). */
function issuerOf(profile: object | undefined, configured: string): string {
  const iss = (profile as { iss?: unknown } | undefined)?.iss;
  return typeof iss === "string" ? iss : configured;
}

function buildConfig(): NextAuthConfig {
  const e = env();
  const secret = e.AUTH_SECRET ?? readOrCreateSecret(e.dataDir, "auth-secret");
  // The cookie lives as long as the longest session; the idle and absolute limits themselves are
  // checked on the server-side session (lib/auth/sessions.ts) on every request.
  const maxAge = Math.round(e.SESSION_MAX_HOURS * 3600);
  const providers: NextAuthConfig["providers"] = [
    Credentials({
      id: "credentials",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw, request) {
        const parsed = credentialsInput.safeParse(raw);
        if (!parsed.success) throw new SignInRefused("invalid");
        const db = await getDb();
        const jar = await cookies();
        const check = await checkCredentials(
          db,
          {
            ...parsed.data,
            address: clientAddressOf(request.headers),
            deviceCookie: jar.get(DEVICE_COOKIE)?.value ?? null,
          },
          signInPolicy(e, secret),
        );
        if (!check.ok) {
          throw new SignInRefused(check.reason === "throttled" ? `throttled_${check.retryAfterSeconds}` : check.reason);
        }
        jar.set(DEVICE_COOKIE, check.deviceCookie, {
          httpOnly: true,
          sameSite: "lax",
          secure: request.headers.get("x-forwarded-proto") === "https",
          path: "/",
          maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
        });
        return { id: check.userId };
      },
    }),
  ];
  if (e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET) {
    providers.push({
      id: OIDC_PROVIDER_ID,
      name: e.OIDC_DISPLAY_NAME,
      type: "oidc",
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      checks: ["pkce", "state", "nonce"],
      authorization: { params: { scope: "openid email profile" } },
    });
  }
  const roleMap = parseRoleMap(e.OIDC_ROLE_MAP);

  return {
    secret,
    // Auth.js takes the origin from the Host and X-Forwarded-* headers, which the forwarding
    // policy (lib/server/client-address.ts) has already stripped of anything a client made up.
    trustHost: true,
    session: { strategy: "jwt", maxAge, updateAge: Math.min(maxAge, 3600) },
    jwt: { maxAge },
    pages: { signIn: "/login", error: "/login" },
    providers,
    logger: {
      // Auth.js would print stack traces and request details; keep one line without secrets.
      // Its own message is only a link, so the line carries the error type and the cause.
      error: (error) => log.warn("auth error", authErrorFields(error)),
      warn: (code) => log.warn("auth warning", { code }),
      debug: () => undefined,
    },
    events: {
      // Ending a session must never fail, so this is the one audit write whose failure does not
      // stop its action: Auth.js logs it (as an auth error) and clears the cookie regardless.
      async signOut(message) {
        const uid = "token" in message && typeof message.token?.uid === "string" ? message.token.uid : null;
        const sid = "token" in message && typeof message.token?.sid === "string" ? message.token.sid : null;
        if (!uid) return;
        const db = await getDb();
        // The cookie is cleared anyway; ending the row is what stops a copy of it from working.
        if (sid) await closeSession(db, sid);
        const user = await getUserById(db, { id: uid });
        await appendAudit(db, { type: "auth.sign_out", actorId: uid, actorEmail: user?.email ?? null, payload: {} });
      },
    },
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        const email = typeof profile?.email === "string" ? profile.email : undefined;
        const subject = typeof profile?.sub === "string" ? profile.sub : undefined;
        if (!email || !subject) return "/login?error=sso_no_email";
        const name = (typeof profile?.name === "string" && profile.name) || email;
        const roles = rolesFromClaim(profile?.[e.OIDC_ROLES_CLAIM], roleMap);
        const result = await provisionOidcUser(await getDb(), {
          issuer: issuerOf(profile, e.OIDC_ISSUER!),
          subject,
          email,
          // Some providers send the flag as a string; anything but true is unverified.
          emailVerified: [true, "true"].includes(profile?.email_verified as boolean | string),
          name,
          roles,
        });
        if (result.ok) return true;
        return `/login?error=${result.reason === "disabled" ? "disabled" : `sso_${result.reason}`}`;
      },
      async jwt({ token, user, account, profile, trigger }) {
        if (trigger !== "signIn") return token;
        // A sign-in opens a server-side session; the cookie carries its id, and nothing older
        // than this sign-in (a previous cookie's session) survives into it.
        let uid: string | undefined;
        let method: "credentials" | "oidc" = "credentials";
        if (account?.provider === OIDC_PROVIDER_ID && typeof profile?.sub === "string") {
          // The signIn callback has linked the identity by now; the email plays no part here.
          uid = (await findOidcUser(await getDb(), { issuer: issuerOf(profile, e.OIDC_ISSUER!), subject: profile.sub }))
            ?.id;
          method = "oidc";
        } else if (user?.id) {
          uid = user.id;
        }
        if (!uid) return { ...token, uid: undefined, sid: undefined };
        const opened = await openSession(await getDb(), { userId: uid, method });
        return { ...token, uid, sid: opened.id };
      },
      session({ session, token }) {
        if (typeof token.uid === "string" && typeof token.sid === "string") {
          return { ...session, user: { ...session.user, id: token.uid }, sessionId: token.sid };
        }
        return session;
      },
    },
  };
}

const nextAuth = NextAuth(() => buildConfig());
export const { auth, signIn, signOut } = nextAuth;

/**
 * Next.js hands route handlers a URL on the address the server listens on (http://localhost:3000),
 * not the one the browser used (nextauthjs/next-auth#10928), while Auth.js's server actions take
 * the origin from the Host headers. Left alone, single sign-on starts with one redirect_uri and
 * redeems the code with another, which every identity provider refuses, and the callback would
 * send the browser on to localhost. So the handlers use the Host headers too, as the forwarding
 * policy left them: the browser's Host (direct), or a trusted proxy's X-Forwarded-Host (with
 * AUTH_TRUST_HOST); AUTH_URL, where set, still wins (next-auth applies it after this). Next.js also spells every
 * loopback address "localhost" in these URLs, so on one machine SSO works at http://localhost:<port>
 * and not at http://127.0.0.1:<port>.
 */
function atPublicOrigin(req: NextRequest): NextRequest {
  const first = (name: string) => req.headers.get(name)?.split(",")[0]?.trim() || undefined;
  const host = first("x-forwarded-host") ?? first("host");
  if (!host) return req;
  const proto = (first("x-forwarded-proto") ?? req.nextUrl.protocol).replace(/:$/, "");
  const publicOrigin = `${proto}://${host}`;
  if (!["http", "https"].includes(proto) || !URL.canParse(publicOrigin)) return req;
  if (new URL(publicOrigin).origin === req.nextUrl.origin) return req;
  const url = new URL(`${req.nextUrl.pathname}${req.nextUrl.search}`, publicOrigin);
  return new NextRequest(url, req);
}

export const handlers = {
  GET: (req: NextRequest) => nextAuth.handlers.GET(atPublicOrigin(req)),
  POST: (req: NextRequest) => nextAuth.handlers.POST(atPublicOrigin(req)),
};

/** The server-side session a signed-in Auth.js session names, if any. */
export function sessionIdOf(session: unknown): string | null {
  const id = (session as { sessionId?: unknown } | null)?.sessionId;
  return typeof id === "string" ? id : null;
}

export function isOidcEnabled(): boolean {
  const e = env();
  return Boolean(e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET);
}
