import path from "node:path";
import type { Command } from "commander";
import type { KeyStatus, RotationResult } from "@/lib/crypto/rotation";
import { env } from "@/lib/env";
import { execute } from "./transport";

// `keys status` and `keys rotate`: the key-encryption key that wraps every original's data key.

export function registerKeysCommands(program: Command, print: (line: string) => void): void {
  const keys = program.command("keys").description("The key that encrypts stored originals.");

  keys
    .command("status")
    .description("Which key-encryption key is in use, and how many originals each key protects.")
    .action(async () => {
      const s = (await execute(env(), "keys.status", {})) as KeyStatus;
      print(
        `Key-encryption key ${s.keyId} (${s.managed === "file" ? "ENCRYPTION_KEY_FILE" : "generated"}: ${s.source})`,
      );
      if (s.pendingRotation) print(`A rotation to key ${s.pendingRotation} did not finish: run \`keys rotate\` again.`);
      if (s.originals.length === 0) print("No encrypted originals yet.");
      for (const o of s.originals)
        print(
          `  ${o.count} original(s) under key ${o.keyId}${o.keyId === s.keyId ? " (current)" : ""}${o.readable ? "" : " — NOT READABLE: this key is not configured"}`,
        );
      if (s.plainOriginals > 0)
        print(
          `  ${s.plainOriginals} original(s) stored unencrypted by an older release: \`keys rotate\` encrypts them.`,
        );
    });

  keys
    .command("rotate")
    .description("Re-wrap every data key under a new key-encryption key (content is not re-encrypted).")
    .option("--new-key-file <file>", "the new key (64 hex characters), when ENCRYPTION_KEY_FILE is set")
    .action(async (opts: { newKeyFile?: string }) => {
      const r = (await execute(env(), "keys.rotate", {
        newKeyFile: opts.newKeyFile ? path.resolve(opts.newKeyFile) : undefined,
      })) as RotationResult;
      print(
        `Rotated from key ${r.from} to key ${r.to}: ${r.rewrapped} data key(s) re-wrapped, ${r.mfaSecrets} TOTP secret(s) re-sealed.`,
      );
      if (r.encryptedPlain > 0) print(`Encrypted ${r.encryptedPlain} original(s) an older release stored in plain.`);
      if (r.missingPlain > 0) print(`${r.missingPlain} unencrypted original(s) were already missing from disk.`);
      if (r.next) print(r.next);
    });
}
