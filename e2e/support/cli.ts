import { spawnSync } from "node:child_process";
import { recordKey } from "./api";
import { e2e } from "./env";

/** Runs `npm run cli -- …` against the running server's data directory, as an operator would. */
export function cli(
  args: string[],
  input?: string,
  dataDir = e2e.dataDir,
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync("npm", ["run", "-s", "cli", "--", ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "" },
    timeout: 60_000,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export function createApiKey(email: string, dataDir = e2e.dataDir): string {
  const r = cli(["apikey", "create", "--email", email], undefined, dataDir);
  if (r.code !== 0) throw new Error(`apikey create failed: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  const key = lines[lines.length - 1]!.trim();
  recordKey(key);
  return key;
}
