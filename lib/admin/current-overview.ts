import "server-only";
import { getDatabaseHandle } from "@/lib/server/db";
import { keyStatus } from "@/lib/crypto/rotation";
import { env } from "@/lib/env";
import { trackedGenerator } from "@/lib/metrics/record";
import { probeConfiguredModelServer } from "@/lib/models/model-server-client";
import { openChunkStoreForReset } from "@/lib/vector/store";
import { getAdminOverview, type AdminOverview } from "./overview";

/** The overview of this server as it is now, from the process's database, chunk table and generator. */
export async function currentOverview(): Promise<AdminOverview> {
  const e = env();
  const handle = await getDatabaseHandle();
  return getAdminOverview({
    db: handle.db,
    databaseKind: handle.kind,
    env: e,
    // Counting needs no embedder: the maintenance view opens the table without loading a model.
    openChunks: () => openChunkStoreForReset({ uri: e.lanceUri }),
    generator: trackedGenerator(),
    probeModelServer: () => probeConfiguredModelServer(e),
    keyStatus: () => keyStatus(handle.db, { dataDir: e.dataDir, keyFile: e.ENCRYPTION_KEY_FILE }),
  });
}
