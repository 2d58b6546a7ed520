import "server-only";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "@/db/runtime";
import { createUser, getUserByEmail, getUserByExternalSubject, replaceUserRoles, updateUserProfile, recordLogin } from "@/db/queries/users";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { readOrCreateSecret } from "@/lib/secrets";
import { checkCredentials } from "./credentials";
import { parseRoleMap, rolesFromClaim } from "./oidc";

// Auth.js carries only the user id in its signed, expiring JWT cookie. Roles, groups and the
// disabled flag are never taken from the token: guards read them from the database.

class SignInRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    // The code travels in a URL; it names the reason class, never whether the account exists.
    this.code = code;
  }
}

const credentialsInput = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) });

export const OIDC_PROVIDER_ID = "oidc";

/**
 * What an operator needs to fix a failed sign-in: Auth.js's error type ("CallbackRouteError")
 * and the underlying message ("unexpected JWT "aud" claim value"). Class names are minified in
 * the production build and the error's own message is a documentation link.
 */
function authErrorFields(error: Error): { type: string; cause?: string; provider?: string } {
  const type = "type" in error && typeof error.type === "string" ? error.type : error.name;
  const cause = error.cause as { err?: unknown; provider?: unknown } | undefined;
  const inner = cause?.err instanceof Error ? cause.err.message : error.message;
  return { type, cause: inner, ...(typeof cause?.provider === "string" ? { provider: cause.provider } : {}) };
}

function buildConfig(): NextAuthConfig {
  const e = env();
  const maxAge = Math.round(e.SESSION_MAX_AGE_HOURS * 3600);
  const providers: NextAuthConfig["providers"] = [
    Credentials({
      id: "credentials",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw) {
        const parsed = credentialsInput.safeParse(raw);
        if (!parsed.success) throw new SignInRefused("invalid");
        const db = await getDb();
        const check = await checkCredentials(db, parsed.data, {
          maxFailures: e.LOGIN_MAX_FAILURES,
          lockoutMinutes: e.LOGIN_LOCKOUT_MINUTES,
        });
        if (!check.ok) {
          throw new SignInRefused(check.reason === "locked" ? `locked_${Math.ceil(check.retryAfterSeconds / 60)}` : check.reason);
        }
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
    secret: e.AUTH_SECRET ?? readOrCreateSecret(e.dataDir, "auth-secret"),
    trustHost: e.AUTH_TRUST_HOST,
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
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        const email = typeof profile?.email === "string" ? profile.email : undefined;
        const subject = typeof profile?.sub === "string" ? profile.sub : undefined;
        if (!email || !subject) return "/login?error=sso_no_email";
        const db = await getDb();
        const roles = rolesFromClaim(profile?.[e.OIDC_ROLES_CLAIM], roleMap);
        const name = (typeof profile?.name === "string" && profile.name) || email;
        const existing =
          (await getUserByExternalSubject(db, { provider: OIDC_PROVIDER_ID, subject })) ?? (await getUserByEmail(db, { email }));
        if (!existing) {
          await createUser(db, { email, name, roles, passwordHash: null, authProvider: OIDC_PROVIDER_ID, externalSubject: subject });
          return true;
        }
        if (existing.disabled) return "/login?error=disabled";
        // For accounts that came from the identity provider, it owns the roles.
        if (existing.authProvider === OIDC_PROVIDER_ID) await replaceUserRoles(db, { userId: existing.id, roles });
        await updateUserProfile(db, { userId: existing.id, externalSubject: subject });
        await recordLogin(db, { userId: existing.id });
        return true;
      },
      async jwt({ token, user, account, profile }) {
        if (account?.provider === OIDC_PROVIDER_ID && typeof profile?.sub === "string") {
          const db = await getDb();
          const found = await getUserByExternalSubject(db, { provider: OIDC_PROVIDER_ID, subject: profile.sub });
          const byEmail = found ?? (typeof profile.email === "string" ? await getUserByEmail(db, { email: profile.email }) : null);
          if (byEmail) token.uid = byEmail.id;
        } else if (user?.id) {
          token.uid = user.id;
        }
        return token;
      },
      session({ session, token }) {
        if (typeof token.uid === "string") session.user = { ...session.user, id: token.uid };
        return session;
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => buildConfig());

export function isOidcEnabled(): boolean {
  const e = env();
  return Boolean(e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET);
}
