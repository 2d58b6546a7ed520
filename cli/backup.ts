import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { readBackupKey } from "@/lib/backup/key";
import { checkArchive, type ArchiveCheck } from "@/lib/backup/manifest";
import { restoreBackup } from "@/lib/backup/restore";
import { CLI_ACTOR } from "@/lib/audit/types";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { givenKey } from "./audit";
import { executeStream } from "./transport";

// `backup create|verify|restore`. create runs where the database is (in the server that owns an
// embedded database, else here) and streams the encrypted archive into the file; verify needs
// only the file and the backup key.

type Out = (line: string) => void;

export function archiveSource(file: string): AsyncIterable<Uint8Array> {
  if (!fs.existsSync(file)) throw new AppError("not_found", `No archive at ${path.resolve(file)}.`);
  return fs.createReadStream(file, { highWaterMark: 1 << 20 });
}

function printArchive(out: Out, file: string, size: number, c: ArchiveCheck): void {
  const m = c.manifest;
  const rows = m.tables.reduce((n, t) => n + t.rows, 0);
  out(`VALID: ${file} (${formatBytes(size)})`);
  out(
    `Archive ${m.archiveId}, made ${m.createdAt} by release ${m.release} from ${m.source === "pglite" ? "an embedded database" : "PostgreSQL"}.`,
  );
  out(`  database: ${m.tables.length} tables, ${rows} rows, migration ${m.migration ?? "(none)"}`);
  out(
    m.lance ? `  index: chunk table version ${m.lance.version}, ${m.lance.rows} chunks` : "  index: no chunk table yet",
  );
  out(
    `  originals: ${m.files.count} file(s), as stored (encrypted)${m.files.missing.length ? `; ${m.files.missing.length} already missing when the backup ran: ${m.files.missing.join(", ")}` : ""}`,
  );
  out(
    `  keys: key-encryption key ${m.keys.keyEncryptionKeys.join(", ") || "(none)"}; audit signing key ${m.keys.signingKey}`,
  );
  out(
    `  signed by ${c.signer.fingerprint}: ${c.signer.trusted ? "matches" : "not checked against a trusted key:"} ${c.signer.reason}.`,
  );
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function registerBackupCommands(program: Command, out: Out): void {
  const backup = program.command("backup").description("Encrypted, signed archives of the whole installation.");

  backup
    .command("create")
    .description("Write one consistent archive of database, index, originals and keys (the server may keep running).")
    .requiredOption("--out <file>", "the archive to write (must not exist)")
    .requiredOption(
      "--key-file <file>",
      "the backup key: 64 hex characters (openssl rand -hex 32), kept apart from archives",
    )
    .action(async (opts: { out: string; keyFile: string }) => {
      const key = readBackupKey(opts.keyFile);
      const target = path.resolve(opts.out);
      if (fs.existsSync(target)) throw new AppError("conflict", `${target} already exists; choose another --out.`);
      const partial = `${target}.${randomBytes(4).toString("hex")}.partial`;
      const handle = await fs.promises.open(partial, "wx", 0o600);
      let open = true;
      const started = Date.now();
      try {
        await executeStream(env(), "backup.create", { keyFile: path.resolve(opts.keyFile) }, async (chunk) => {
          await handle.write(chunk);
        });
        await handle.sync();
        await handle.close();
        open = false;
        // Read back what reached the disk before calling it a backup.
        const check = await checkArchive(archiveSource(partial), key);
        fs.renameSync(partial, target);
        const size = fs.statSync(target).size;
        out(`Wrote ${target} in ${((Date.now() - started) / 1000).toFixed(1)} s and read it back:`);
        printArchive(out, target, size, check);
      } catch (err) {
        if (open) await handle.close();
        fs.rmSync(partial, { force: true });
        throw err;
      }
    });

  backup
    .command("verify")
    .description("Check an archive offline: the key, every chunk, every entry against the signed manifest.")
    .argument("<file>", "the archive")
    .requiredOption("--key-file <file>", "the backup key the archive was made with")
    .option("--public-key <key>", "the installation's audit public key (file or text) the signature must match")
    .action(async (file: string, opts: { keyFile: string; publicKey?: string }) => {
      const key = readBackupKey(opts.keyFile);
      // Only a key given here makes the signer trusted: the key inside the archive proves nothing.
      const trusted = opts.publicKey ? givenKey(opts.publicKey) : undefined;
      const check = await checkArchive(archiveSource(file), key, { trustedKey: trusted?.key });
      if (trusted) check.signer.reason = trusted.reason;
      printArchive(out, file, fs.statSync(file).size, check);
    });

  backup
    .command("restore")
    .description(
      "Check an archive, then restore it into an empty embedded data folder (--data-dir) or, with DATABASE_URL, into an empty PostgreSQL database.",
    )
    .argument("<file>", "the archive")
    .requiredOption("--key-file <file>", "the backup key the archive was made with")
    .option("--data-dir <dir>", "the data folder to restore into (default DATA_DIR); absent or empty")
    .option("--force", "replace what the target holds (never while a server uses it)")
    .action(async (file: string, opts: { keyFile: string; dataDir?: string; force?: boolean }) => {
      const key = readBackupKey(opts.keyFile);
      const e = env();
      archiveSource(file);
      const dataDir = path.resolve(opts.dataDir ?? e.dataDir);
      const started = Date.now();
      const r = await restoreBackup(
        () => archiveSource(file),
        key,
        {
          dataDir,
          databaseUrl: e.DATABASE_URL,
          migrationUrl: e.DATABASE_MIGRATION_URL,
          lanceUri: e.LANCEDB_URI ?? path.join(dataDir, "lance"),
          encryptionKeyFile: e.ENCRYPTION_KEY_FILE,
          force: opts.force === true,
        },
        CLI_ACTOR,
      );
      const m = r.check.manifest;
      out(`Restored archive ${m.archiveId} (made ${m.createdAt}) in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
      out(
        `  database: ${r.rows} rows into ${r.target === "pglite" ? `the embedded database in ${dataDir}` : "PostgreSQL at DATABASE_URL"}`,
      );
      out(
        `  index: ${r.chunks} chunks; originals: ${r.files} file(s) in ${path.join(dataDir, "files")}; keys in ${path.join(dataDir, "secrets")}`,
      );
      out(`  signed by ${r.check.signer.fingerprint}`);
      if (r.unreadable > 0)
        out(
          `Warning: ${r.unreadable} original(s) cannot be opened with ENCRYPTION_KEY_FILE (${e.ENCRYPTION_KEY_FILE}); the restored key is ${path.join(dataDir, "secrets", "encryption-key")}. Unset ENCRYPTION_KEY_FILE or point it at that key.`,
        );
      out(`Start the server with DATA_DIR=${dataDir}${r.target === "postgres" ? " and the same DATABASE_URL" : ""}.`);
    });
}
