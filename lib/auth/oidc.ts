import "server-only";
import type { Database, Executor } from "@/db/client";
import {
  createUser,
  getUserByExternalIdentity,
  getUserLinkState,
  linkExternalIdentity,
  listRolesForUsers,
  recordLogin,
  replaceUserRoles,
} from "@/db/queries/users";
import { ROLES, type Role } from "@/db/schema";
import { appendAudit } from "@/lib/audit/log";

export const OIDC_PROVIDER_ID = "oidc";

/**
 * Maps the values of the configured roles claim to product roles through OIDC_ROLE_MAP
 * (`idpValue=role,idpValue=role`). Only mapped values grant anything: without a map every SSO
 * user is an `employee`, whatever the claim says, so an identity provider whose users can set
 * their own attributes cannot make anyone an administrator.
 */
export function parseRoleMap(spec: string | undefined): Map<string, Role> {
  const map = new Map<string, Role>();
  if (!spec) return map;
  for (const pair of spec.split(",")) {
    const trimmed = pair.trim();
    if (!trimmed) continue;
    const eq = trimmed.lastIndexOf("=");
    const from = trimmed.slice(0, eq).trim();
    const to = trimmed.slice(eq + 1).trim();
    if (eq <= 0 || !(ROLES as readonly string[]).includes(to)) {
      throw new Error(`OIDC_ROLE_MAP entry "${trimmed}" must look like claimValue=${ROLES.join("|")}`);
    }
    map.set(from, to as Role);
  }
  return map;
}

export function rolesFromClaim(claim: unknown, map: Map<string, Role>): Role[] {
  const values = Array.isArray(claim) ? claim : typeof claim === "string" ? claim.split(/[\s,]+/) : [];
  const roles = new Set<Role>();
  for (const v of values) {
    if (typeof v !== "string") continue;
    const mapped = map.get(v);
    if (mapped) roles.add(mapped);
  }
  if (roles.size === 0) roles.add("employee");
  return [...roles].sort();
}

export interface OidcIdentity {
  /** The issuer that vouched for the subject (the ID token's `iss`). */
  issuer: string;
  subject: string;
  email: string;
  /** The provider's `email_verified`; only `true` lets the email link to an existing account. */
  emailVerified: boolean;
  name: string;
  roles: Role[];
}

export type OidcRefusal = "disabled" | "unverified_email" | "local_account" | "linked_elsewhere";
export type OidcProvisioning = { ok: true; userId: string } | { ok: false; reason: OidcRefusal };

/** The account an SSO identity is linked to: by issuer and subject, never by email. */
export async function findOidcUser(db: Executor, { issuer, subject }: { issuer: string; subject: string }) {
  return getUserByExternalIdentity(db, { provider: OIDC_PROVIDER_ID, issuer, subject });
}

/**
 * Signs an SSO login into our accounts, in one transaction. An identity already linked (issuer +
 * subject) signs in to its account, whose roles the provider owns. Otherwise the email may link
 * it to an account an administrator made for the person, but only when the provider says the
 * email is verified, the account has no password of its own (a local account is never taken
 * over by a provider login) and it was never linked to another subject. With no account for the
 * email, one is created. Refusals are audited against the account they aimed at.
 */
export async function provisionOidcUser(db: Database, identity: OidcIdentity): Promise<OidcProvisioning> {
  return db.transaction(async (tx) => {
    const linked = await findOidcUser(tx, identity);
    if (linked) {
      const who = { actorId: linked.id, actorEmail: linked.email, subject: { userId: linked.id } };
      if (linked.disabled) {
        await appendAudit(tx, {
          type: "auth.sign_in_failed",
          ...who,
          payload: { method: OIDC_PROVIDER_ID, email: linked.email, reason: "disabled" },
        });
        return { ok: false, reason: "disabled" };
      }
      const before = (await listRolesForUsers(tx, { userIds: [linked.id] })).get(linked.id) ?? [];
      await replaceUserRoles(tx, { userId: linked.id, roles: identity.roles });
      if ([...before].sort().join() !== [...identity.roles].sort().join()) {
        await appendAudit(tx, {
          type: "user.roles_changed",
          ...who,
          payload: { via: "sso", email: linked.email, before, after: identity.roles },
        });
      }
      // Accounts linked before issuers were recorded get theirs now.
      await linkExternalIdentity(tx, { userId: linked.id, issuer: identity.issuer, subject: identity.subject });
      await recordLogin(tx, { userId: linked.id });
      await appendAudit(tx, { type: "auth.sign_in", ...who, payload: { method: OIDC_PROVIDER_ID } });
      return { ok: true, userId: linked.id };
    }

    const existing = await getUserLinkState(tx, { email: identity.email });
    if (!existing) {
      const created = await createUser(tx, {
        email: identity.email,
        name: identity.name,
        roles: identity.roles,
        passwordHash: null,
        authProvider: OIDC_PROVIDER_ID,
        externalIssuer: identity.issuer,
        externalSubject: identity.subject,
      });
      await recordLogin(tx, { userId: created.id });
      const who = { actorId: created.id, actorEmail: created.email, subject: { userId: created.id } };
      await appendAudit(tx, {
        type: "user.created",
        ...who,
        payload: {
          via: "sso",
          email: created.email,
          name: created.name,
          roles: identity.roles,
          authProvider: OIDC_PROVIDER_ID,
        },
      });
      await appendAudit(tx, { type: "auth.sign_in", ...who, payload: { method: OIDC_PROVIDER_ID } });
      return { ok: true, userId: created.id };
    }

    const refusal: OidcRefusal | null = !identity.emailVerified
      ? "unverified_email"
      : existing.hasPassword
        ? "local_account"
        : existing.externalSubject !== null
          ? "linked_elsewhere"
          : existing.disabled
            ? "disabled"
            : null;
    if (refusal) {
      // Someone the provider vouches for tried to reach this account by its email: compliance sees it.
      await appendAudit(tx, {
        type: "auth.sign_in_failed",
        actorId: null,
        actorEmail: identity.email,
        subject: { userId: existing.id },
        payload: {
          method: OIDC_PROVIDER_ID,
          email: existing.email,
          reason: refusal,
          issuer: identity.issuer,
          externalSubject: identity.subject,
        },
      });
      return { ok: false, reason: refusal };
    }
    await linkExternalIdentity(tx, {
      userId: existing.id,
      issuer: identity.issuer,
      subject: identity.subject,
      provider: OIDC_PROVIDER_ID,
    });
    await replaceUserRoles(tx, { userId: existing.id, roles: identity.roles });
    await recordLogin(tx, { userId: existing.id });
    await appendAudit(tx, {
      type: "auth.sign_in",
      actorId: existing.id,
      actorEmail: existing.email,
      subject: { userId: existing.id },
      payload: { method: OIDC_PROVIDER_ID, linked: { issuer: identity.issuer, subject: identity.subject } },
    });
    return { ok: true, userId: existing.id };
  });
}
