import type { Actor } from "@/lib/auth/actor";
import type { AuditActor } from "./types";

/** The audit actor for a signed-in request. */
export function auditActor(actor: Actor): AuditActor {
  return { id: actor.id, email: actor.email, via: actor.via };
}
