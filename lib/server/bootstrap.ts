import "server-only";
import { randomBytes } from "node:crypto";
import type { Database } from "@/db/client";
import { isUniqueViolation } from "@/db/queries/errors";
import { countUsers, createUser } from "@/db/queries/users";
import { appendAudit } from "@/lib/audit/log";
import { hashPassword } from "@/lib/auth/password";
import type { Env } from "@/lib/env";
import { log } from "@/lib/log";

export const DEFAULT_ADMIN_EMAIL = "admin@knowledge.local";

export type BootstrapResult = { created: false } | { created: true; email: string; generatedPassword?: string };

/**
 * On a database with no users, creates the first administrator from ADMIN_EMAIL and
 * ADMIN_PASSWORD, or with a generated password that is returned so it can be shown once.
 */
export async function ensureFirstAdmin(
  db: Database,
  e: Pick<Env, "ADMIN_EMAIL" | "ADMIN_PASSWORD" | "ADMIN_NAME">,
): Promise<BootstrapResult> {
  if ((await countUsers(db)) > 0) return { created: false };
  const email = (e.ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL).toLowerCase();
  const generatedPassword = e.ADMIN_PASSWORD ? undefined : randomBytes(18).toString("base64url");
  const password = e.ADMIN_PASSWORD ?? generatedPassword!;
  try {
    const passwordHash = await hashPassword(password);
    await db.transaction(async (tx) => {
      // A generated password has been printed to a console and maybe a log: it opens only the
      // form that replaces it.
      const user = await createUser(tx, {
        email,
        name: e.ADMIN_NAME,
        roles: ["admin", "employee"],
        passwordHash,
        passwordMustChange: generatedPassword !== undefined,
      });
      await appendAudit(tx, {
        type: "user.created",
        actorId: null,
        subject: { userId: user.id },
        payload: {
          via: "system",
          email,
          name: user.name,
          roles: ["admin", "employee"],
          authProvider: "credentials",
          reason: "first start",
        },
      });
    });
  } catch (err) {
    // Another process sharing the database bootstrapped first.
    if (isUniqueViolation(err)) return { created: false };
    throw err;
  }
  return { created: true, email, generatedPassword };
}

/** Prints the bootstrap outcome. The generated password appears here and nowhere else. */
export function announceBootstrap(result: BootstrapResult): void {
  if (!result.created) return;
  if (!result.generatedPassword) {
    log.info("created the first administrator from ADMIN_EMAIL/ADMIN_PASSWORD", { email: result.email });
    return;
  }
  const lines = [
    "",
    "================================================================",
    " First start: an administrator account was created.",
    `   email:    ${result.email}`,
    `   password: ${result.generatedPassword}`,
    " This password is shown once and works once: the first sign-in",
    " asks for a password of your own. (Or set ADMIN_EMAIL and",
    " ADMIN_PASSWORD before the first start.)",
    "================================================================",
    "",
  ];
  process.stdout.write(lines.join("\n"));
}
