import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cliSandbox } from "@/lib/testing/cli";

// `backup create` and `backup verify` as an operator runs them, in real child processes.

const sandbox = cliSandbox({ prefix: "kq-backup-cli-", timeoutMs: 120_000 });
const { cli } = sandbox;
const file = (name: string) => path.join(sandbox.dataDir, "..", `${path.basename(sandbox.dataDir)}-${name}`);

describe("cli backup", () => {
  it("creates an owner-only archive that verifies offline, without the data folder", () => {
    const key = file("backup.key");
    fs.writeFileSync(key, "a1".repeat(32) + "\n", { mode: 0o600 });
    expect(
      cli(["user", "add", "--email", "ops@example.org", "--name", "Ops", "--password-stdin"], "operator password").code,
    ).toBe(0);

    const out = file("first.kqa");
    const created = cli(["backup", "create", "--out", out, "--key-file", key]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^Wrote .*first\.kqa in [\d.]+ s and read it back:$/m);
    expect(created.stdout).toMatch(/^VALID: /m);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);

    // Offline: no data folder, no database.
    const verified = cli(["backup", "verify", out, "--key-file", key], "", {
      DATA_DIR: path.join(sandbox.dataDir, "does-not-exist"),
      DATABASE_URL: "",
    });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^ {2}database: \d+ tables, [1-9]\d* rows, migration \d{4}_/m);
    expect(fs.existsSync(path.join(sandbox.dataDir, "does-not-exist"))).toBe(false);
  }, 300_000);

  it("refuses a taken --out, a wrong or malformed key and a truncated archive, each saying what is wrong", () => {
    const key = file("backup.key");
    const out = file("first.kqa");
    const again = cli(["backup", "create", "--out", out, "--key-file", key]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/first\.kqa already exists; choose another --out/);

    const wrong = file("wrong.key");
    fs.writeFileSync(wrong, "b2".repeat(32));
    const wrongKey = cli(["backup", "verify", out, "--key-file", wrong]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr.trim()).toBe(
      "error: The backup key does not open this archive: it was made with a different key (or its header was altered).",
    );

    const short = file("short.key");
    fs.writeFileSync(short, "abc");
    const badKey = cli(["backup", "create", "--out", file("never.kqa"), "--key-file", short]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/must hold 32 random bytes as 64 hexadecimal characters/);
    expect(fs.existsSync(file("never.kqa"))).toBe(false);

    const bytes = fs.readFileSync(out);
    const cut = file("cut.kqa");
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 20));
    const truncated = cli(["backup", "verify", cut, "--key-file", key]);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/^error: The last chunk 0 .* truncated or was altered\.$/m);
  }, 300_000);

  it("restores into an empty folder that then serves the CLI, and never over a non-empty one", () => {
    const key = file("backup.key");
    const out = file("first.kqa");
    const target = file("restored");
    const cut = file("cut.kqa");
    const damaged = cli(["backup", "restore", cut, "--key-file", key, "--data-dir", target]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/truncated or was altered/);
    expect(fs.existsSync(target)).toBe(false);

    const restored = cli(["backup", "restore", out, "--key-file", key, "--data-dir", target], "", { DATABASE_URL: "" });
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^Restored archive [0-9a-f-]{36} \(made .*\) in [\d.]+ s:$/m);
    expect(fs.statSync(target).mode & 0o777).toBe(0o700);
    const users = cli(["user", "list", "--json"], "", { DATA_DIR: target, DATABASE_URL: "" });
    expect((JSON.parse(users.stdout) as { email: string }[]).map((u) => u.email)).toEqual(["ops@example.org"]);

    const again = cli(["backup", "restore", out, "--key-file", key, "--data-dir", target], "", { DATABASE_URL: "" });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: The restore target is not empty: .*restored holds .*pass --force/m);
  }, 300_000);
});
