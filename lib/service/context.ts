import "server-only";
import type { Database } from "@/db/client";
import { getCollectionById } from "@/db/queries/collections";
import type { Role } from "@/db/schema";
import { requireCollection, type CollectionPermission } from "@/lib/auth/access";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import type { AuditActor } from "@/lib/audit/types";
import { AppError } from "@/lib/errors";

// What every domain verb takes first (docs/adr/0026-service-contract.md): who acts and the
// database to act in. The verb decides from the database, at call time, whether that actor may
// act; the identity a route resolved at the start of the request is only a name here, so a role
// or grant removed since then already counts.

export interface ServiceContext {
  /** A signed-in user (an Actor from a guard, or its audit identity), or the system/CLI by name. */
  actor: AuditActor;
  db: Database;
}

/**
 * Who the verb decides on. The system (the server itself, or the command line run by whoever
 * holds the host) carries no user and may do what the installation may; a user is re-read.
 */
export type Principal = { kind: "system" } | { kind: "user"; user: Actor };

const SYSTEM_VIAS: ReadonlySet<AuditActor["via"]> = new Set(["system", "cli"]);

export async function principalOf(ctx: ServiceContext): Promise<Principal> {
  const { actor } = ctx;
  if (actor.id === null) {
    if (SYSTEM_VIAS.has(actor.via)) return { kind: "system" };
    throw new AppError("unauthorized", "This change needs a signed-in user.");
  }
  const user = await actorFromUserId(ctx.db, actor.id);
  if (!user) throw new AppError("forbidden", "This account is disabled or no longer exists.");
  return { kind: "user", user };
}

export function principalHasRole(p: Principal, role: Role): boolean {
  return p.kind === "system" || p.user.roles.includes(role);
}

/** Refuses anyone but the system and users holding `role` now; `what` completes "Only … may …". */
export async function requireRoleNow(ctx: ServiceContext, role: Role, what: string): Promise<Principal> {
  const p = await principalOf(ctx);
  if (!principalHasRole(p, role)) {
    const who =
      role === "admin" ? "administrators" : role === "compliance" ? "compliance staff" : `users with the ${role} role`;
    throw new AppError("forbidden", `Only ${who} may ${what}.`);
  }
  return p;
}

/**
 * The collection, if the actor may use it at `level` now (lib/auth/access.ts decides for users;
 * the system may use every collection). A collection the user may not even list answers 404.
 */
export async function requireCollectionNow(ctx: ServiceContext, collectionId: string, level: CollectionPermission) {
  const p = await principalOf(ctx);
  if (p.kind === "system") {
    const collection = await getCollectionById(ctx.db, { id: collectionId });
    if (!collection) throw new AppError("not_found", "No collection with this id.");
    return { principal: p, collection, access: "manage" as const, isAdmin: true };
  }
  return { principal: p, ...(await requireCollection(ctx.db, p.user, collectionId, level)) };
}
