import { SYSTEM_ACTOR, type AuditActor } from "@/lib/audit/types";

// Who a test's set-up acts as. Services take their actor explicitly; a test that prepares data
// says whether it stands for the system or for a signed-in user.

export { SYSTEM_ACTOR };

export function asUser(id: string, email: string | null = null): AuditActor {
  return { id, email, via: "session" };
}
