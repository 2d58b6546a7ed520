import "server-only";
import type { Database, Executor } from "@/db/client";
import {
  createUser,
  getUserByEmail,
  getUserByExternalSubject,
  listRolesForUsers,
  recordLogin,
  replaceUserRoles,
  updateUserProfile,
} from "@/db/queries/users";
import { ROLES, type Role } from "@/db/schema";
import { appendAudit } from "@/lib/audit/log";

export const OIDC_PROVIDER_ID = "oidc";

/**
 * Maps the values of the configured roles claim to product roles. With no map, claim values
 * that equal a role name are taken as they are. The map is `idpValue=role,idpValue=role`.
 * A user whose claim maps to nothing gets `employee`.
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
    const mapped = map.size > 0 ? map.get(v) : (ROLES as readonly string[]).includes(v) ? (v as Role) : undefined;
    if (mapped) roles.add(mapped);
  }
  if (roles.size === 0) roles.add("employee");
  return [...roles].sort();
}

export interface OidcIdentity {
  subject: string;
  email: string;
  name: string;
  roles: Role[];
}

export type OidcProvisioning = { ok: true; userId: string } | { ok: false; reason: "disabled" };

/** The account an SSO login belongs to: by the IdP's subject, else by email. */
export async function findOidcUser(db: Executor, { subject, email }: { subject: string; email?: string }) {
  return (
    (await getUserByExternalSubject(db, { provider: OIDC_PROVIDER_ID, subject })) ??
    (email ? await getUserByEmail(db, { email }) : null)
  );
}

/**
 * Signs an SSO login into our accounts, in one transaction: creates the account on first login
 * (an account an administrator made earlier is matched by email), refuses a disabled one, and
 * records the sign-in. For accounts that came from the identity provider, it owns the roles.
 */
export async function provisionOidcUser(db: Database, identity: OidcIdentity): Promise<OidcProvisioning> {
  return db.transaction(async (tx) => {
    const existing = await findOidcUser(tx, identity);
    if (!existing) {
      const created = await createUser(tx, {
        email: identity.email,
        name: identity.name,
        roles: identity.roles,
        passwordHash: null,
        authProvider: OIDC_PROVIDER_ID,
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
    const who = { actorId: existing.id, actorEmail: existing.email, subject: { userId: existing.id } };
    if (existing.disabled) {
      await appendAudit(tx, {
        type: "auth.sign_in_failed",
        ...who,
        payload: { method: OIDC_PROVIDER_ID, email: existing.email, reason: "disabled" },
      });
      return { ok: false, reason: "disabled" };
    }
    if (existing.authProvider === OIDC_PROVIDER_ID) {
      const before = (await listRolesForUsers(tx, { userIds: [existing.id] })).get(existing.id) ?? [];
      await replaceUserRoles(tx, { userId: existing.id, roles: identity.roles });
      if ([...before].sort().join() !== [...identity.roles].sort().join()) {
        await appendAudit(tx, {
          type: "user.roles_changed",
          ...who,
          payload: { via: "sso", email: existing.email, before, after: identity.roles },
        });
      }
    }
    await updateUserProfile(tx, { userId: existing.id, externalSubject: identity.subject });
    await recordLogin(tx, { userId: existing.id });
    await appendAudit(tx, { type: "auth.sign_in", ...who, payload: { method: OIDC_PROVIDER_ID } });
    return { ok: true, userId: existing.id };
  });
}
