// How the release check runs the release's launcher: with one Node.js on PATH and nothing else of
// this machine's environment, so that a release that quietly leans on a system tool or setting fails.
import { spawn, spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fail } from "../../e2e/support/offline-flow";

export type Timings = Record<string, number>;

export async function timed<T>(timings: Timings, name: string, fn: () => T | Promise<T>): Promise<T> {
  const started = performance.now();
  process.stderr.write(`release-check: ${name}…\n`);
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - started);
  }
}

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the release's launcher with one Node.js on PATH and nothing else of this machine's environment. */
export function launcher(
  release: string,
  runtime: string,
  args: string[],
  extra: Record<string, string> = {},
  input?: string,
): Ran {
  const r = spawnSync(path.join(release, "bin", "knowledge-qa"), args, {
    cwd: os.tmpdir(),
    encoding: "utf8",
    input,
    timeout: 120_000,
    env: releaseEnv(runtime, extra),
  });
  if (r.error) fail(`bin/knowledge-qa ${args.join(" ")} could not run: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function releaseEnv(runtime: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  // /usr/bin:/bin for the launcher's sh, readlink and dirname; Node.js is the only other program.
  // Nothing else of this process's environment (no DATABASE_URL, no NODE_ENV): embedded defaults.
  const env = { PATH: `${path.dirname(runtime)}:/usr/bin:/bin`, HOME: os.tmpdir(), LANG: "C.UTF-8", ...extra };
  return env as unknown as NodeJS.ProcessEnv;
}

/** Like launcher(), without waiting: several --help checks share the machine's cores. */
export function launcherAsync(release: string, runtime: string, args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(release, "bin", "knowledge-qa"), args, {
      cwd: os.tmpdir(),
      env: releaseEnv(runtime, {}),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}
