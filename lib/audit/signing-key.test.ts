import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { keyFingerprint, parsePublicKey, signObject, verifyObject } from "./keys";
import { loadSigningKey, SIGNING_KEY_FILE } from "./signing-key";

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "kq-key-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("the export signing key", () => {
  it("is generated once into DATA_DIR/secrets (0600) and reused", () => {
    const dataDir = tmp();
    const a = loadSigningKey({ dataDir, AUDIT_SIGNING_KEY: undefined });
    const file = path.join(dataDir, "secrets", SIGNING_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(a).toMatchObject({ source: "generated", fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    // A fresh process (no cache) reads the same file.
    const pem = fs.readFileSync(file, "utf8");
    expect(loadSigningKey({ dataDir: "/nonexistent", AUDIT_SIGNING_KEY: pem }).fingerprint).toBe(a.fingerprint);
  });

  it("comes from AUDIT_SIGNING_KEY as PEM or base64 PKCS#8, and refuses anything else by name", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const b64 = privateKey.export({ type: "pkcs8", format: "der" }).toString("base64");
    const key = loadSigningKey({ dataDir: tmp(), AUDIT_SIGNING_KEY: b64 });
    expect(key).toMatchObject({ source: "AUDIT_SIGNING_KEY", fingerprint: keyFingerprint(publicKey) });
    const signature = signObject(key.privateKey, { b: 1, a: [2] });
    expect(verifyObject(parsePublicKey(key.publicKeyPem), { a: [2], b: 1 }, signature)).toBe(true);
    expect(verifyObject(parsePublicKey(key.publicKeyBase64), { a: [2], b: 2 }, signature)).toBe(false);

    expect(() => loadSigningKey({ dataDir: tmp(), AUDIT_SIGNING_KEY: "not a key" })).toThrow(
      "AUDIT_SIGNING_KEY is not a PEM private key or base64 PKCS#8 DER.",
    );
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    expect(() => loadSigningKey({ dataDir: tmp(), AUDIT_SIGNING_KEY: rsa })).toThrow(
      "AUDIT_SIGNING_KEY is a rsa key; exports are signed with Ed25519.",
    );
    expect(() => parsePublicKey("nope")).toThrow(/neither a PEM public key nor base64/);
  });
});
