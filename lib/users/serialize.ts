import type { UserWithAccess } from "@/db/queries/users";

/** The one JSON shape of a user in API responses: built field by field, so nothing else slips in. */
export function userJson(u: UserWithAccess) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    roles: u.roles,
    groups: u.groups.map((g) => ({ id: g.id, name: g.name })),
    disabled: u.disabled,
    authProvider: u.authProvider,
    lastLoginAt: u.lastLoginAt,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}
