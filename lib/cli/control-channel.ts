import "server-only";
import type { Database } from "@/db/client";
import { listenForControl, type ControlChannel } from "@/lib/server/control";
import { runOperation, runStreamOperation, streamOperations } from "./operations";

/** The server's end of the CLI channel: each request runs one CLI operation against the server's database. */
export function serveControlChannel(db: Database, dataDir: string): Promise<ControlChannel> {
  return listenForControl(dataDir, async (operation, input) => {
    if (Object.hasOwn(streamOperations, operation)) {
      const file = await runStreamOperation(db, operation, input);
      return { kind: "file", fileName: file.fileName, contentType: file.contentType, chunks: file.chunks };
    }
    return { kind: "json", result: await runOperation(db, operation, input) };
  });
}
