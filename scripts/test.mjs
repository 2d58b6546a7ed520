// `npm test`: the whole suite on a fresh machine. Lint, types, Vitest (unit and integration,
// against TEST_DATABASE_URL's Postgres when set, PGlite otherwise), then Playwright against
// the production build in Debian's Chromium, then the offline release built from that same build
// and run on Node.js 22 and 24 (scripts/release-check.ts).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureBuild, ensureDependencies, root, run, runOrExit } from "./setup.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  if (typeof process.getuid === "function" && process.getuid() === 0) {
    console.log("› Chromium is missing; installing Debian's chromium package…");
    runOrExit("apt-get update", "apt-get", ["update"]);
    runOrExit("apt-get install chromium", "apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
      env: { DEBIAN_FRONTEND: "noninteractive" },
    });
    return;
  }
  console.error(
    `\n✗ The browser tests need Chromium at ${CHROMIUM}. Install it with:\n\n    sudo apt-get update && sudo apt-get install -y chromium\n\n` +
      "or point CHROMIUM_PATH at an existing Chromium binary, then run npm test again.\n",
  );
  process.exit(1);
}

const bin = (name) => path.join(root, "node_modules", ".bin", name);
const steps = [
  ["lint", () => run(bin("eslint"), ["--max-warnings=0", "."])],
  ["formatting", () => run(bin("prettier"), ["--check", "."])],
  ["typecheck", () => run(bin("tsc"), ["--noEmit", "-p", "."])],
  ["unit and integration tests", () => run(bin("vitest"), ["run"])],
  // Standalone, so that the release below packs this build instead of making another.
  ["production build", () => (ensureBuild({ standalone: true }), 0)],
  ["browser tests", () => run(bin("playwright"), ["test"])],
  ["offline release", () => run(process.execPath, [path.join(root, "scripts", "release.mjs")])],
  [
    "the release on Node.js 22 and 24, offline",
    () => run(process.execPath, ["--import", "tsx", path.join(root, "scripts", "release-check.ts")]),
  ],
];

/**
 * Node.js 20 reached its end of life in April 2026, and the release refuses it: on an older Node
 * the suite runs itself again on the pinned Node.js 22 (scripts/node-runtimes.ts, from the npm
 * registry), first on PATH so that every server, CLI run and worker it starts uses it too.
 */
function onSupportedNode() {
  if (Number(process.versions.node.split(".")[0]) >= 22) return;
  const found = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts", "node-runtimes.ts"), "22"], {
    cwd: root,
    encoding: "utf8",
  });
  if (found.status !== 0) {
    console.error(
      `\n✗ Node.js ${process.versions.node} is past its end of life and Node.js 22 could not be fetched:\n${found.stderr}`,
    );
    process.exit(1);
  }
  const node22 = found.stdout.trim();
  console.log(`› Node.js ${process.versions.node} is past its end of life; running the suite on ${node22}.`);
  const r = spawnSync(node22, [path.join(root, "scripts", "test.mjs"), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, PATH: `${path.dirname(node22)}${path.delimiter}${process.env.PATH ?? ""}` },
  });
  process.exit(r.status ?? 1);
}

ensureDependencies();
onSupportedNode();
ensureChromium();
const started = Date.now();
for (const [label, step] of steps) {
  console.log(`\n━━ ${label} ━━`);
  const code = step();
  if (code !== 0) {
    console.error(`\n✗ ${label} failed (exit ${code}).`);
    process.exit(code);
  }
}
console.log(`\n✓ All checks passed in ${Math.round((Date.now() - started) / 1000)} s.`);
