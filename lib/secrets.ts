import "server-only";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";

/**
 * Reads a secret kept under DATA_DIR/secrets, creating it (0600) on first use. Used for values
 * that an air-gapped newcomer should not have to invent, such as the session signing key.
 * Several nodes sharing one deployment must instead set the value in their environment.
 */
export function readOrCreateSecret(dataDir: string, name: string, bytes = 32): string {
  const dir = path.join(dataDir, "secrets");
  const file = path.join(dir, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, randomBytes(bytes).toString("base64url"), { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const value = fs.readFileSync(file, "utf8").trim();
  if (value.length < 32)
    throw new Error(`The secret file ${file} is shorter than 32 characters; delete it to regenerate.`);
  return value;
}

/**
 * Reads a secret file under DATA_DIR/secrets, creating it (0600) with `create()` on first use.
 * Exclusive creation means two processes starting at once agree on one value.
 */
export function readOrCreateSecretFile(dataDir: string, name: string, create: () => string): string {
  const dir = path.join(dataDir, "secrets");
  const file = path.join(dir, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, create(), { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return fs.readFileSync(file, "utf8");
}
