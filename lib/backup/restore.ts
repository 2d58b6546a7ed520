import "server-only";
import fs from "node:fs";
import path from "node:path";
import { isNotNull, sql } from "drizzle-orm";
import { MIGRATIONS_DIR, migrateDatabase, openDatabase, type DatabaseHandle } from "@/db/client";
import { readLock } from "@/db/embedded-lock";
import { documentVersions } from "@/db/schema";
import { appendAudit, by } from "@/lib/audit/log";
import type { AuditActor } from "@/lib/audit/types";
import { AppError } from "@/lib/errors";
import { checkKey, fileStoreFor } from "@/lib/storage/file-store";
import { unwrapStoredKey } from "@/lib/storage/files";
import { TABLE_NAME } from "@/lib/vector/chunk-schema";
import { connectLance } from "@/lib/vector/lance-runtime";
import { isEmptyDatabase, loadTable, migrationsUpTo, resetSequences } from "./database";
import { readAll, readEntries, type ArchiveEntry } from "./entries";
import { BackupError } from "./errors";
import { restoreChunks, type LanceSchemaEntry } from "./lance";
import { checkArchive, META_ENTRY, type ArchiveCheck, type ArchiveMeta } from "./manifest";
import { openArchive } from "./stream-cipher";

// `backup restore`: checks the whole archive first (nothing is written from an archive that is
// damaged anywhere), then reads it a second time into an empty target: the database at the
// archive's migration level, its rows, this release's later migrations, the chunk table, the
// originals as stored and the keys that open them. The target must be empty unless forced.

export interface RestoreTarget {
  /** Receives files/, secrets/ (and pg/ when embedded; lance/ unless LANCEDB_URI says otherwise). */
  dataDir: string;
  /** A PostgreSQL database to restore into; unset: an embedded database in dataDir/pg. */
  databaseUrl?: string;
  /** The schema owner's URL for migrations, when it differs (DATABASE_MIGRATION_URL). */
  migrationUrl?: string;
  lanceUri: string;
  /** ENCRYPTION_KEY_FILE of the restored installation, to check that it opens the originals. */
  encryptionKeyFile: string | undefined;
  /** Replace what the target holds. */
  force: boolean;
}

export interface RestoreSummary {
  check: ArchiveCheck;
  target: "pglite" | "postgres";
  rows: number;
  chunks: number;
  files: number;
  /** Originals whose data key the restored installation cannot unwrap (a different ENCRYPTION_KEY_FILE). */
  unreadable: number;
}

const SECRET_NAME = /^[A-Za-z0-9._-]+$/;

function contents(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

function isLocal(uri: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(uri);
}

/** Refuses a target that holds anything unless forced; forced, empties it (never under a live owner). */
async function prepareTarget(target: RestoreTarget, db: DatabaseHandle | null): Promise<void> {
  const holder = readLock(target.dataDir);
  if (holder)
    throw new AppError(
      "conflict",
      `${target.dataDir} is in use by ${holder.owner === "server" ? "a running server" : "a CLI command"} (pid ${holder.pid}); stop it before restoring there.`,
    );
  const occupied = target.databaseUrl
    ? ["files", "secrets", "lance", "pg"].filter((d) => contents(path.join(target.dataDir, d)).length > 0)
    : contents(target.dataDir);
  const dbTaken = db ? !(await isEmptyDatabase(db.db)) : false;
  const files = fileStoreFor(target.dataDir);
  // A bucket is not emptied by --force: restored objects replace those with the same names.
  const bucketTaken = files.kind === "s3" && !target.force && (await files.usage()).files > 0;
  let lanceTaken = false;
  if (!isLocal(target.lanceUri) || !target.lanceUri.startsWith(target.dataDir + path.sep)) {
    const lance = await connectLance(target.lanceUri);
    try {
      lanceTaken = (await lance.tableNames()).includes(TABLE_NAME);
      if (lanceTaken && target.force) await lance.dropTable(TABLE_NAME);
    } finally {
      lance.close();
    }
  }
  if (!target.force && (occupied.length > 0 || dbTaken || lanceTaken || bucketTaken)) {
    const what = [
      occupied.length > 0 ? `${target.dataDir} holds ${occupied.slice(0, 5).join(", ")}` : null,
      dbTaken ? "the database at DATABASE_URL already has tables" : null,
      lanceTaken ? `${target.lanceUri} already has a chunk table` : null,
      bucketTaken ? `${files.location} already holds originals` : null,
    ].filter(Boolean);
    throw new AppError(
      "conflict",
      `The restore target is not empty: ${what.join("; ")}. Restore into an empty target, or pass --force to replace what it holds.`,
    );
  }
  if (target.force) {
    for (const name of occupied) fs.rmSync(path.join(target.dataDir, name), { recursive: true, force: true });
    if (db && dbTaken) {
      await db.db.execute(sql`drop schema if exists drizzle cascade`);
      await db.db.execute(sql`drop schema public cascade`);
      await db.db.execute(sql`create schema public`);
    }
  }
}

async function writeFileFrom(full: string, body: AsyncIterable<Buffer>): Promise<void> {
  await fs.promises.mkdir(path.dirname(full), { recursive: true, mode: 0o700 });
  const handle = await fs.promises.open(full, "wx", 0o600);
  try {
    for await (const piece of body) await handle.write(piece);
  } finally {
    await handle.close();
  }
}

/** Checks the archive, then restores it into the target. */
export async function restoreBackup(
  source: () => AsyncIterable<Uint8Array>,
  backupKey: Buffer,
  target: RestoreTarget,
  actor: AuditActor,
): Promise<RestoreSummary> {
  const check = await checkArchive(source(), backupKey);
  const dataDir = path.resolve(target.dataDir);
  const t = { ...target, dataDir };
  const expected = check.manifest.entries;

  let handle: DatabaseHandle | null = t.databaseUrl ? await openDatabase({ url: t.databaseUrl, poolMax: 4 }) : null;
  let prepared = false;
  try {
    await prepareTarget(t, handle);
    prepared = true;
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    handle ??= await openDatabase({ dataDir, owner: "cli" });
    const db = handle;

    const iterator = readEntries(openArchive(source(), backupKey))[Symbol.asyncIterator]();
    let index = 0;
    const next = async (): Promise<ArchiveEntry | null> => {
      const r = await iterator.next();
      return r.done ? null : r.value;
    };
    // Every entry must be the one checked a moment ago: the file could have changed in between.
    const confirm = (entry: ArchiveEntry) => {
      const want = expected[index++];
      const got = entry.digest();
      if (!want || want.name !== got.name || want.sha256 !== got.sha256)
        throw new BackupError(`The archive changed while it was being restored (at entry ${got.name}).`);
    };

    const first = await next();
    if (!first || first.name !== META_ENTRY) throw new BackupError("The archive does not start with its meta entry.");
    const meta = JSON.parse((await readAll(first.body)).toString("utf8")) as ArchiveMeta;
    confirm(first);

    const level = migrationsUpTo(meta.migrations);
    try {
      await migrateDatabase(db, t.migrationUrl ?? t.databaseUrl, level.dir);
    } finally {
      level.cleanup();
    }

    let entry = await next();
    let rows = 0;
    await db.db.transaction(async (tx) => {
      while (entry && entry.name.startsWith("db/")) {
        const name = entry.name.slice(3, -".jsonl".length);
        const table = meta.tables.find((x) => x.name === name);
        if (!table) throw new BackupError(`The archive holds rows for a table its meta entry does not list: ${name}.`);
        rows += await loadTable(tx, table, entry.body);
        confirm(entry);
        entry = await next();
      }
      await resetSequences(tx);
    });
    // The release's own later migrations, now that the rows are in.
    await migrateDatabase(db, t.migrationUrl ?? t.databaseUrl, MIGRATIONS_DIR);

    let chunks = 0;
    let files = 0;
    let lanceSchema: LanceSchemaEntry | null = null;
    const lance = await connectLance(t.lanceUri);
    try {
      for (; entry; entry = await next()) {
        const name = entry.name;
        if (name === "lance/schema.json") {
          lanceSchema = JSON.parse((await readAll(entry.body)).toString("utf8")) as LanceSchemaEntry;
        } else if (name === "lance/chunks.jsonl") {
          if (!lanceSchema) throw new BackupError("The archive's chunk rows come before their schema.");
          chunks = (await restoreChunks(lance, lanceSchema, entry.body)).rows;
        } else if (name.startsWith("files/")) {
          let storageKey: string;
          try {
            storageKey = checkKey(name.slice("files/".length));
          } catch (err) {
            throw new BackupError(`The archive names a file outside the files store: ${name}.`, { cause: err });
          }
          // One original at a time in memory: at most the upload limit.
          await fileStoreFor(dataDir).put(storageKey, await readAll(entry.body, Number.MAX_SAFE_INTEGER));
          files++;
        } else if (name.startsWith("secrets/")) {
          const file = name.slice("secrets/".length);
          if (!SECRET_NAME.test(file)) throw new BackupError(`The archive names an odd secret file: ${name}.`);
          fs.mkdirSync(path.join(dataDir, "secrets"), { recursive: true, mode: 0o700 });
          await writeFileFrom(path.join(dataDir, "secrets", file), entry.body);
        } else {
          // The manifest and its signature (not listed in the manifest) were checked in the first pass.
          for await (const piece of entry.body) void piece;
          continue;
        }
        confirm(entry);
      }
    } finally {
      lance.close();
    }
    if (index !== expected.length) throw new BackupError("The archive ended early while it was being restored.");

    // The restored installation must open its originals with what it now holds.
    let unreadable = 0;
    const originals = await db.db
      .select({ id: documentVersions.id, storagePath: documentVersions.storagePath, dataKey: documentVersions.dataKey })
      .from(documentVersions)
      .where(isNotNull(documentVersions.dataKey));
    for (const o of originals) {
      try {
        unwrapStoredKey(
          dataDir,
          { id: o.id, storagePath: o.storagePath!, dataKey: o.dataKey! },
          { keyFile: t.encryptionKeyFile },
        );
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        unreadable++;
      }
    }

    const m = check.manifest;
    await appendAudit(db.db, {
      type: "backup.restored",
      ...by(actor),
      payload: {
        via: actor.via,
        archiveId: m.archiveId,
        createdAt: m.createdAt,
        release: m.release,
        source: m.source,
        target: db.kind,
        rows,
        chunks,
        files,
        signer: check.signer.fingerprint,
      },
    });
    return { check, target: db.kind, rows, chunks, files, unreadable };
  } catch (err) {
    await handle?.close();
    handle = null;
    if (prepared) {
      // Leave the target as it was found (empty), so the operator can simply run it again.
      if (!t.databaseUrl)
        for (const name of contents(dataDir)) fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
      else
        throw new AppError(
          "internal",
          `The restore failed part way: ${(err as Error).message} The database at DATABASE_URL and ${dataDir} hold a partial restore; run the restore again with --force.`,
          { cause: err, expose: true },
        );
    }
    throw err;
  } finally {
    await handle?.close();
  }
}
