import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute, executeStream } from "@/cli/transport";
import { serveControlChannel } from "@/lib/cli/control-channel";
import { env, resetEnvCache } from "@/lib/env";
import { closeDb, getDb } from "@/lib/server/db";
import { controlSocketPath, type ControlChannel } from "@/lib/server/control";
import { checkArchive } from "./manifest";

// With the embedded database only the server may open it, so `backup create` runs inside the
// server and streams the archive over the CLI's control channel: the Unix socket the server
// opens at start-up, reached by the CLI's own transport, as `npm run cli` would reach it.

let dataDir: string;
let channel: ControlChannel;
const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-backup-server-"));
  process.env.DATA_DIR = dataDir;
  process.env.DATABASE_URL = "";
  resetEnvCache();
  // Opens PGlite as the server does, taking the data directory's lock as its owner.
  channel = await serveControlChannel(await getDb(), dataDir);
}, 120_000);

afterAll(async () => {
  await channel.close();
  await closeDb();
  process.env.DATA_DIR = saved.DATA_DIR;
  process.env.DATABASE_URL = saved.DATABASE_URL;
  resetEnvCache();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function backupOverSocket(keyFile: string): Promise<{ fileName: string; bytes: Buffer }> {
  const parts: Buffer[] = [];
  const fileName = await executeStream(env(), "backup.create", { keyFile }, async (chunk) => {
    parts.push(Buffer.from(chunk));
  });
  return { fileName, bytes: Buffer.concat(parts) };
}

/**
 * A Node.js binary another user can run: this one, unless it lives in a folder only its owner may
 * enter (npm test on an old Node runs on a runtime fetched into root's home), else one on PATH.
 */
function nodeFor(uid: number): string {
  const reachable = (file: string) => {
    for (let dir = file; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const st = fs.statSync(dir, { throwIfNoEntry: false });
      if (!st || (st.uid !== uid && (st.mode & 0o001) === 0)) return false;
    }
    return true;
  };
  const candidates = [
    process.execPath,
    ...(process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "node")),
  ];
  const found = candidates.find((c) => fs.existsSync(c) && reachable(c));
  if (!found) throw new Error(`No Node.js binary that uid ${uid} may run: tried ${candidates.join(", ")}`);
  return found;
}

describe("the CLI's channel into the running server", () => {
  it("is a socket only the server's user may open: 0600 in a 0700 directory", () => {
    const socket = controlSocketPath(dataDir);
    expect(channel.socketPath).toBe(socket);
    const stat = fs.statSync(socket);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);
    expect(stat.uid).toBe(process.getuid?.());
  });

  // Root passes every permission check, so the refusal is seen from an unprivileged uid.
  it.runIf(process.getuid?.() === 0)("refuses a connection from another user", () => {
    const probe = `require("node:net").connect(${JSON.stringify(controlSocketPath(dataDir))})
      .on("connect", () => { console.log("connected"); process.exit(0); })
      .on("error", (e) => { console.log(e.code); process.exit(0); });`;
    const r = spawnSync(nodeFor(65534), ["-e", probe], { uid: 65534, gid: 65534, encoding: "utf8", timeout: 10_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("EACCES");
  });

  it("runs an operation in the server: the embedded database it holds answers", async () => {
    const users = (await execute(env(), "user.list", {})) as { email: string }[];
    expect(Array.isArray(users)).toBe(true);
    await expect(execute(env(), "no.such.operation", {})).rejects.toThrow('Unknown operation "no.such.operation".');
  });

  it("streams an archive of the server's embedded database that verifies", async () => {
    const keyFile = path.join(dataDir, "..", `${path.basename(dataDir)}.key`);
    fs.writeFileSync(keyFile, "c3".repeat(32));
    const { fileName, bytes } = await backupOverSocket(keyFile);
    expect(fileName).toBe("backup.kqa");
    const check = await checkArchive(
      (async function* () {
        yield bytes;
      })(),
      Buffer.from("c3".repeat(32), "hex"),
    );
    expect(check.manifest.source).toBe("pglite");
    expect(check.manifest.tables.length).toBeGreaterThan(10);
    fs.rmSync(keyFile);
  }, 120_000);

  it("answers a bad key file with an error, not a broken stream", async () => {
    await expect(backupOverSocket(path.join(dataDir, "no-such.key"))).rejects.toThrow(
      /^The backup key file .*no-such\.key does not exist/,
    );
  });
});
