import "server-only";
import { ROLES, type Role } from "@/db/schema";

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
