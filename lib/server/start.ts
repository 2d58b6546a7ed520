import "server-only";
import { getDatabaseHandle } from "@/db/runtime";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { announceBootstrap, ensureFirstAdmin } from "./bootstrap";
import { publishControlInfo } from "./control";

/** Runs once per server process, before the first request: migrate, bootstrap, open the CLI channel. */
export async function startServer(): Promise<void> {
  const e = env();
  const handle = await getDatabaseHandle();
  log.info("database ready", { kind: handle.kind, dataDir: e.dataDir });
  announceBootstrap(await ensureFirstAdmin(handle.db, e));
  if (handle.kind === "pglite") publishControlInfo(e.dataDir, e.PORT);
}
