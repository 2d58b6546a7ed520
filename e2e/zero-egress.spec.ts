import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { recordSeen } from "./support/api";

// Nothing leaves the building: start-up, sign-in, an upload through ingestion, and a cited answer,
// all inside a network namespace that has nothing but loopback, with every server process and
// thread under the egress guard (and strace, where installed). The run itself is
// e2e/support/zero-egress-run.ts; this spec checks that it can run and reads its report.

// A cold production server, USE-lite's first load and one ingestion on two cores, in one test.
test.setTimeout(210_000);

function requirement(): string | null {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) {
    return "must run as root: it creates a network namespace with `unshare -n` (CI runs as root; locally: sudo npx playwright test e2e/zero-egress.spec.ts).";
  }
  for (const [tool, args, pkg] of [
    ["unshare", ["--version"], "util-linux"],
    ["ip", ["-V"], "iproute2"],
  ] as const) {
    const r = spawnSync(tool, args, { encoding: "utf8" });
    if (r.error || r.status !== 0)
      return `needs \`${tool}\` from the Debian package ${pkg}, which is not installed here.`;
  }
  const probe = spawnSync("unshare", ["-n", "--", "true"], { encoding: "utf8" });
  if (probe.status !== 0)
    return `cannot create a network namespace here (\`unshare -n true\` said: ${probe.stderr.trim() || `exit ${probe.status}`}).`;
  return null;
}

test("start-up, ingestion and a cited answer work with no network, and nothing tries to reach one", async () => {
  const missing = requirement();
  // Not skipped: a check that quietly does not run would be read as a pass.
  expect(missing, `The zero-egress check ${missing}`).toBeNull();

  const reportPath = path.join(os.tmpdir(), `kq-zero-egress-${process.pid}-${Date.now()}.json`);
  const run = spawnSync(
    "unshare",
    ["-n", "--", process.execPath, "--import", "tsx", "e2e/support/zero-egress-run.ts"],
    {
      cwd: process.cwd(),
      encoding: "utf8",
      env: { ...process.env, ZE_REPORT: reportPath },
      timeout: 200_000,
    },
  );
  expect(fs.existsSync(reportPath), `The offline run wrote no report. Its output:\n${run.stdout}\n${run.stderr}`).toBe(
    true,
  );
  const report = JSON.parse(fs.readFileSync(reportPath, "utf8")) as {
    ok: boolean;
    failure: string | null;
    steps: { name: string; ms: number }[];
    selfTest: { recorded: string[] } | null;
    guard: { processes: number; threads: number; attempts: unknown[] } | null;
    strace: { used: boolean; inetConnects: number; violations: string[] } | null;
    answer: { citations: number; citedDocument: boolean } | null;
    seen: { url: string; status: number; body: string }[];
    serverLogTail: string;
  };
  fs.rmSync(reportPath, { force: true });
  for (const entry of report.seen) recordSeen(entry);
  console.log(
    `zero egress: ${report.steps.map((s) => `${s.name} ${s.ms} ms`).join(", ")}; guard in ${report.guard?.threads ?? 0} threads; strace ${report.strace?.used ? "on" : "not installed"}`,
  );

  expect(report.failure, `${report.failure}\n\nServer log (end):\n${report.serverLogTail}`).toBeNull();
  expect(report.ok).toBe(true);
  // The guard proved it catches calls, ran in the server, and saw none.
  expect(report.selfTest?.recorded.length).toBeGreaterThanOrEqual(3);
  expect(report.guard!.threads).toBeGreaterThanOrEqual(1);
  expect(report.guard!.attempts).toEqual([]);
  expect(report.strace!.violations).toEqual([]);
  expect(report.answer).toMatchObject({ citedDocument: true });
  expect(report.answer!.citations).toBeGreaterThanOrEqual(1);
  expect(run.status).toBe(0);
});
