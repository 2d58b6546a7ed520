import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "./db";

export interface CliSandbox {
  /** A data folder of its own, removed after the file's tests. */
  readonly dataDir: string;
  /** The Postgres test database when TEST_DATABASE_URL is set; otherwise the CLI uses an embedded database no server holds. */
  readonly pgHandle: (DatabaseHandle & { url?: string }) | undefined;
  /** Runs `npm run cli -- …` as an operator would: a real child process, its exit code and output. */
  cli(
    args: string[],
    input?: string,
    env?: Record<string, string>,
  ): { code: number | null; stdout: string; stderr: string };
}

/** Registers the file's set-up and clean-up, and returns the sandbox its CLI runs in. */
export function cliSandbox(opts: { prefix: string; env?: Record<string, string>; timeoutMs?: number }): CliSandbox {
  let dataDir = "";
  let pgHandle: CliSandbox["pgHandle"];
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), opts.prefix));
    if (process.env.TEST_DATABASE_URL) pgHandle = await createTestDatabase();
  });
  afterAll(async () => {
    await pgHandle?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get dataDir() {
      return dataDir;
    },
    get pgHandle() {
      return pgHandle;
    },
    cli(args, input = "", env = {}) {
      const r = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "cli/main.ts", ...args], {
        input,
        encoding: "utf8",
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: pgHandle?.url ?? "", ...opts.env, ...env },
        timeout: opts.timeoutMs ?? 60_000,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
  };
}
