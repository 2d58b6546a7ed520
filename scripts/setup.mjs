// Shared by the start and test commands: make a fresh clone runnable with nothing but Node.
// Only Node built-ins here, because this runs before dependencies are installed.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...options, env: { ...process.env, ...options.env } });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

export function runOrExit(label, cmd, args, options) {
  const code = run(cmd, args, options);
  if (code !== 0) {
    console.error(`\n✗ ${label} failed (exit ${code}).`);
    process.exit(code);
  }
}

/** Installs dependencies when node_modules is missing or older than the lockfile. */
export function ensureDependencies() {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  const lock = path.join(root, "package-lock.json");
  const stale = !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync(lock).mtimeMs;
  if (!stale) return;
  console.log("› Installing dependencies (npm ci)…");
  runOrExit("npm ci", "npm", ["ci", "--no-audit", "--no-fund"]);
}

const BUILD_INPUTS = [
  "app",
  "components",
  "lib",
  "db",
  "ingest",
  "public",
  "instrumentation.ts",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
];
const STAMP = path.join(root, ".next", "source-stamp");

function listFiles(p, out) {
  if (!fs.existsSync(p)) return;
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(p).sort()) listFiles(path.join(p, name), out);
  } else if (!p.endsWith(".test.ts")) {
    out.push(p);
  }
}

/** A digest of everything the production build is made from. */
export function sourceDigest() {
  const files = [];
  for (const input of BUILD_INPUTS) listFiles(path.join(root, input), files);
  const h = createHash("sha256");
  for (const f of files) h.update(path.relative(root, f)).update("\0").update(fs.readFileSync(f)).update("\0");
  return h.digest("hex");
}

export const nextEnv = { NEXT_TELEMETRY_DISABLED: "1" };

/**
 * Builds when there is no build, or the sources changed since the last one. `standalone` also
 * writes .next/standalone for the offline release (scripts/release.ts); a standalone build serves
 * `next start` too, so it counts as fresh for either, and a plain one does not for the release.
 */
export function ensureBuild({ force = false, standalone = false } = {}) {
  const digest = sourceDigest();
  const stamp = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, "utf8") : "";
  const fresh =
    !force &&
    fs.existsSync(path.join(root, ".next", "BUILD_ID")) &&
    (stamp === `${digest} standalone` || (!standalone && stamp === digest));
  if (fresh) return;
  console.log(`› Building the production bundle (next build${standalone ? ", standalone" : ""})…`);
  // A build must never open a database or write data: give it a data folder that must stay absent.
  const probe = path.join(os.tmpdir(), `kq-build-probe-${process.pid}`);
  fs.rmSync(probe, { recursive: true, force: true });
  runOrExit("next build", process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    env: { ...nextEnv, DATA_DIR: probe, DATABASE_URL: "", NEXT_OUTPUT_STANDALONE: standalone ? "1" : "" },
  });
  if (fs.existsSync(probe)) {
    fs.rmSync(probe, { recursive: true, force: true });
    console.error("\n✗ next build wrote to DATA_DIR: a page or module opens the database at build time.");
    process.exit(1);
  }
  fs.writeFileSync(STAMP, standalone ? `${digest} standalone` : digest);
}
