import "server-only";
import type { Database } from "@/db/client";
import { getDatabaseHandle } from "@/lib/server/db";
import { env } from "@/lib/env";
import { startRetentionSchedule } from "@/lib/audit/retention";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { startSignInFailureSweep } from "@/lib/auth/sign-in-failures";
import { failInterruptedAnswers } from "@/lib/chat/interrupted";
import { keyringFor } from "@/lib/crypto/keyring";
import { log } from "@/lib/log";
import { secureDataDir } from "@/lib/storage/data-dir";
import { getGenerator } from "@/lib/models/generator-runtime";
import { serveControlChannel } from "@/lib/cli/control-channel";
import { announceBootstrap, ensureFirstAdmin } from "./bootstrap";
import { installForwardingPolicy } from "./client-address";

/**
 * Runs once per server process, before the first request: migrate, bootstrap, open the CLI
 * channel, load the answer generator. The job workers come as a hook: they run the ingestion
 * pipeline, which lib/ does not import. A failure (a bad setting, a database that cannot be opened
 * or migrated, a configured model that cannot be loaded) stops the server with the reason rather
 * than letting it answer every request with an error.
 */
export async function startServer(hooks: { startWorkers: (db: Database) => unknown }): Promise<void> {
  try {
    const e = env();
    installForwardingPolicy({ trustedProxies: e.TRUSTED_PROXIES, trustHost: e.AUTH_TRUST_HOST });
    // Before anything writes to DATA_DIR (PGlite, LanceDB, keys, originals).
    const tightened = secureDataDir(e.dataDir);
    if (tightened > 0) log.info("made the data folder owner-only", { dataDir: e.dataDir, entries: tightened });
    // Created on the first start; a missing or malformed ENCRYPTION_KEY_FILE stops the start here.
    log.info("key-encryption key for originals", { keyId: keyringFor(e.dataDir).current.id });
    const handle = await getDatabaseHandle();
    log.info("database ready", { kind: handle.kind, dataDir: e.dataDir });
    announceBootstrap(await ensureFirstAdmin(handle.db, e));
    const interrupted = await failInterruptedAnswers(handle);
    if (interrupted > 0) log.info("closed answers a stopped process left streaming", { interrupted });
    if (handle.kind === "pglite") {
      const channel = await serveControlChannel(handle.db, e.dataDir);
      log.info("CLI channel open", { socket: channel.socketPath });
    }
    // Loaded before serving: a configured model that cannot be loaded stops the server here,
    // naming MODEL_PATH or MODELS_DIR, rather than failing every question later.
    await getGenerator();
    hooks.startWorkers(handle.db);
    startSignInFailureSweep(handle.db, e.LOGIN_FAILURE_AUDIT_MINUTES, (err) =>
      log.error("sign-in failure sweep failed", { err }),
    );
    // Generated on the first start when AUDIT_SIGNING_KEY is not set; a bad key stops the start.
    log.info("audit export signing key", { fingerprint: loadSigningKey(e).fingerprint });
    if (e.RETENTION_DAYS)
      startRetentionSchedule(handle.db, { retentionDays: e.RETENTION_DAYS, everyMinutes: e.RETENTION_SWEEP_MINUTES });
  } catch (err) {
    process.stderr.write(`\nThe server could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof Error && err.cause) process.stderr.write(`Cause: ${String(err.cause)}\n`);
    process.stderr.write("\n");
    process.exit(1);
  }
}
