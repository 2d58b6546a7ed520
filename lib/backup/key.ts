import "server-only";
import fs from "node:fs";
import path from "node:path";
import { parseHexKey } from "@/lib/crypto/keyring";
import { AppError } from "@/lib/errors";

/** Reads the backup key: 32 random bytes as 64 hexadecimal characters (`openssl rand -hex 32`). */
export function readBackupKey(file: string): Buffer {
  const full = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(full, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(
      "invalid_request",
      code === "ENOENT"
        ? `The backup key file ${full} does not exist. Create one with \`openssl rand -hex 32 > ${file}\` and keep it apart from the archives.`
        : `The backup key file ${full} cannot be read (${code ?? (err as Error).message}).`,
    );
  }
  try {
    return parseHexKey(text, `The backup key file ${full}`);
  } catch (err) {
    throw new AppError("invalid_request", (err as Error).message);
  }
}
