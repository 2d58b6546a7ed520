import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { kekId } from "@/lib/crypto/keyring";
import { cliSandbox } from "@/lib/testing/cli";

const sandbox = cliSandbox({ prefix: "kq-keys-cli-" });
const keyFile = () => path.join(sandbox.dataDir, "secrets", "encryption-key");
const keyId = () => kekId(Buffer.from(fs.readFileSync(keyFile(), "utf8").trim(), "hex"));

describe("cli keys", () => {
  it("status names the key in use and where it comes from", () => {
    const status = sandbox.cli(["keys", "status"]);
    expect(status.stderr).toBe("");
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Key-encryption key ${keyId()} (generated: ${keyFile()})`);
    expect(status.stdout).toContain("No encrypted originals yet.");
  });

  it("rotate replaces the generated key", () => {
    const before = keyId();
    const rotated = sandbox.cli(["keys", "rotate"]);
    expect(rotated.stderr).toBe("");
    expect(rotated.code).toBe(0);
    expect(keyId()).not.toBe(before);
    expect(rotated.stdout).toContain(
      `Rotated from key ${before} to key ${keyId()}: 0 data key(s) re-wrapped, 0 TOTP secret(s) re-sealed.`,
    );
  });

  it("names a malformed ENCRYPTION_KEY_FILE and exits non-zero, without a stack trace", () => {
    const bad = path.join(sandbox.dataDir, "bad-key");
    fs.writeFileSync(bad, "not a key\n");
    const previous = process.env.ENCRYPTION_KEY_FILE;
    process.env.ENCRYPTION_KEY_FILE = bad;
    try {
      const wrong = sandbox.cli(["keys", "status"]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^error: ENCRYPTION_KEY_FILE \(.*bad-key\) must hold 32 random bytes as 64 hex/m);
      expect(wrong.stderr).not.toMatch(/\n\s+at /);
    } finally {
      if (previous === undefined) delete process.env.ENCRYPTION_KEY_FILE;
      else process.env.ENCRYPTION_KEY_FILE = previous;
    }
  });
});
