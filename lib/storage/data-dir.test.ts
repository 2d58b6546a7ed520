import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { spawnSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "@/db/client";
import { keyringFor } from "@/lib/crypto/keyring";
import { chunkRow, docFixture, seededUnitVector } from "@/lib/vector/chunk-fixtures";
import { openChunkStore } from "@/lib/vector/store";
import { restrictFileCreation, secureDataDir } from "./data-dir";
import { saveOriginal } from "./files";

let root: string;
const originalUmask = process.umask(0o022);
process.umask(originalUmask);

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "kq-datadir-"));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
afterEach(() => process.umask(originalUmask));

/** Every directory and file under `dir` whose mode is not owner-only, with its mode. */
function looseEntries(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isSymbolicLink()) continue;
      const mode = fs.lstatSync(full).mode & 0o777;
      if (e.isDirectory()) {
        if (mode !== 0o700) out.push(`${path.relative(dir, full)}/ ${mode.toString(8)}`);
        walk(full);
      } else if (mode !== 0o600) out.push(`${path.relative(dir, full)} ${mode.toString(8)}`);
    }
  };
  walk(dir);
  return out;
}

describe("the data folder is owner-only", () => {
  it("under umask 000, for the embedded database, the index, the originals and the keys", async () => {
    const dataDir = path.join(root, "umask-000");
    process.umask(0o000);
    restrictFileCreation();
    const handle = await openDatabase({ dataDir, owner: "cli" });
    await migrateDatabase(handle);
    await handle.close();
    const store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: "fixture", dim: 8 });
    const doc = docFixture(randomUUID());
    await store.replaceVersionChunks(doc.versionId, [chunkRow(doc, 0, "owner only", seededUnitVector(8, 1))]);
    await store.ensureIndexes();
    await store.close();
    keyringFor(dataDir);
    await saveOriginal(dataDir, randomUUID(), Buffer.from("original"));
    for (const sub of ["pg", "lance", "files", "secrets"]) expect(fs.existsSync(path.join(dataDir, sub))).toBe(true);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(looseEntries(dataDir)).toEqual([]);
  });

  it("start-up tightens what an older release or a looser umask left, without following links out", () => {
    const dataDir = path.join(root, "old-install");
    const outside = path.join(root, "outside.txt");
    fs.writeFileSync(outside, "not ours");
    fs.chmodSync(outside, 0o644);
    fs.mkdirSync(path.join(dataDir, "files", "ab"), { recursive: true });
    fs.writeFileSync(path.join(dataDir, "files", "ab", "old-original"), "plain");
    fs.chmodSync(path.join(dataDir, "files", "ab", "old-original"), 0o666);
    fs.chmodSync(path.join(dataDir, "files", "ab"), 0o777);
    fs.chmodSync(dataDir, 0o755);
    fs.symlinkSync(outside, path.join(dataDir, "link"));
    // files/ (made under the test's umask), files/ab/ and the original.
    expect(looseEntries(dataDir).length).toBe(3);

    expect(secureDataDir(dataDir)).toBe(4);
    expect(looseEntries(dataDir)).toEqual([]);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(outside).mode & 0o777).toBe(0o644);
    expect(secureDataDir(dataDir)).toBe(0);
  });

  it("the command line, started under umask 000, writes owner-only files", () => {
    const dataDir = path.join(root, "cli");
    const r = spawnSync(
      "/bin/sh",
      ["-c", 'umask 000 && exec "$0" --conditions=react-server --import tsx cli/main.ts keys status', process.execPath],
      { encoding: "utf8", env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "" }, timeout: 60_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(dataDir, "pg"))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, "secrets", "encryption-key"))).toBe(true);
    expect(looseEntries(dataDir)).toEqual([]);
  });
});
