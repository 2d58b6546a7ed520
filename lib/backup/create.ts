import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { isNotNull } from "drizzle-orm";
import type { Database } from "@/db/client";
import { documentVersions } from "@/db/schema";
import { appendAudit, by } from "@/lib/audit/log";
import type { SigningKey } from "@/lib/audit/signing-key";
import type { AuditActor } from "@/lib/audit/types";
import { wrappingKeyId } from "@/lib/crypto/envelope";
import { DEFAULT_KEY_FILE, kekId, parseHexKey, PENDING_KEY_FILE, secretsDir } from "@/lib/crypto/keyring";
import { fileStoreFor } from "@/lib/storage/file-store";
import { connectLance } from "@/lib/vector/lance-runtime";
import { APP_VERSION } from "@/lib/version";
import { dumpTable, listTables, migrationLevel } from "./database";
import { EntryWriter } from "./entries";
import { BackupError } from "./errors";
import { dumpChunks, pinChunkTable, schemaEntry } from "./lance";
import { MANIFEST_ENTRY, META_ENTRY, SIGNATURE_ENTRY, signManifest, type ArchiveMeta, type Manifest } from "./manifest";
import { ArchiveSealer } from "./stream-cipher";

// `backup create`: one archive of the installation while it runs. The database is read in one
// REPEATABLE READ transaction (one snapshot), the chunk table is pinned at the version current
// when that snapshot was taken, and the originals are those the snapshot's versions name, copied
// as stored (still encrypted under their data keys). The keys that open them travel with them,
// and the whole archive is encrypted under the operator's backup key.

export const SIGNING_KEY_ENTRY = "secrets/audit-signing-key.pem";

export interface BackupSources {
  db: Database;
  kind: "pglite" | "postgres";
  dataDir: string;
  lanceUri: string;
  /** ENCRYPTION_KEY_FILE, when the key-encryption key is mounted rather than kept in DATA_DIR/secrets. */
  encryptionKeyFile: string | undefined;
  signingKey: SigningKey;
}

export interface BackupSummary {
  archiveId: string;
  createdAt: string;
  tables: number;
  rows: number;
  chunks: number;
  files: number;
  missingFiles: string[];
  manifestSha256: string;
}

async function secretEntries(src: BackupSources): Promise<{ name: string; bytes: Buffer }[]> {
  const dir = secretsDir(src.dataDir);
  const out: { name: string; bytes: Buffer }[] = [];
  let names: string[] = [];
  try {
    names = (await fs.readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  for (const name of names.sort()) {
    // A mounted key replaces the default file; the signing key is written below from the loaded key.
    if (name === DEFAULT_KEY_FILE && src.encryptionKeyFile) continue;
    if (`secrets/${name}` === SIGNING_KEY_ENTRY) continue;
    out.push({ name: `secrets/${name}`, bytes: await fs.readFile(path.join(dir, name)) });
  }
  if (src.encryptionKeyFile)
    out.push({ name: `secrets/${DEFAULT_KEY_FILE}`, bytes: await fs.readFile(path.resolve(src.encryptionKeyFile)) });
  out.push({
    name: SIGNING_KEY_ENTRY,
    bytes: Buffer.from(src.signingKey.privateKey.export({ type: "pkcs8", format: "pem" }).toString(), "utf8"),
  });
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Writes the archive to `out`, chunk by chunk, and records a backup.created audit event. */
export async function writeBackup(
  src: BackupSources,
  backupKey: Buffer,
  actor: AuditActor,
  out: (bytes: Uint8Array) => Promise<void>,
): Promise<BackupSummary> {
  const sealer = new ArchiveSealer(backupKey, out);
  const writer = new EntryWriter((bytes) => sealer.write(bytes));
  const { archiveId, createdAt } = sealer.header;
  const lance = await connectLance(src.lanceUri);
  try {
    const tableRows: { name: string; rows: number }[] = [];
    const snapshot = await src.db.transaction(
      async (tx) => {
        // The first statement fixes the snapshot; the chunk table is pinned right after it.
        const migrations = await migrationLevel(tx);
        const tables = await listTables(tx);
        const pinned = await pinChunkTable(lance);
        const originals = await tx
          .select({
            id: documentVersions.id,
            storagePath: documentVersions.storagePath,
            dataKey: documentVersions.dataKey,
          })
          .from(documentVersions)
          .where(isNotNull(documentVersions.storagePath));
        const meta: ArchiveMeta = {
          archiveId,
          release: APP_VERSION,
          source: src.kind,
          migrations,
          tables,
          lance: pinned ? { version: pinned.version } : null,
        };
        await writer.entry(META_ENTRY, Buffer.from(JSON.stringify(meta), "utf8"));
        for (const table of tables) {
          const counter = { rows: 0 };
          await writer.entry(`db/${table.name}.jsonl`, dumpTable(tx, table, counter));
          tableRows.push({ name: table.name, rows: counter.rows });
        }
        return { migrations, pinned, originals };
      },
      { isolationLevel: "repeatable read", accessMode: "read only" },
    );

    let chunks = 0;
    if (snapshot.pinned) {
      const counter = { rows: 0 };
      try {
        await writer.entry("lance/schema.json", await schemaEntry(snapshot.pinned));
        await writer.entry("lance/chunks.jsonl", dumpChunks(snapshot.pinned, counter));
      } finally {
        snapshot.pinned.table.close();
      }
      chunks = counter.rows;
    }

    const missing: string[] = [];
    let files = 0;
    // Originals as stored (each is encrypted under its own data key), from disk or the bucket.
    const store = fileStoreFor(src.dataDir);
    for (const o of snapshot.originals) {
      const bytes = await store.get(o.storagePath!);
      if (!bytes) {
        // Deleted after the snapshot was taken (or lost before): said in the manifest, not fatal.
        missing.push(o.storagePath!);
        continue;
      }
      await writer.entry(`files/${o.storagePath!}`, bytes);
      files++;
    }

    const secrets = await secretEntries(src);
    const kekIds = secrets
      .filter((s) => s.name === `secrets/${DEFAULT_KEY_FILE}` || s.name === `secrets/${PENDING_KEY_FILE}`)
      .map((s) => kekId(parseHexKey(s.bytes.toString("utf8"), s.name)));
    for (const o of snapshot.originals) {
      if (o.dataKey && !kekIds.includes(wrappingKeyId(o.dataKey)))
        throw new BackupError(
          `The original of version ${o.id} is wrapped by key ${wrappingKeyId(o.dataKey)}, which this installation does not hold; the archive could not open it.`,
        );
    }
    for (const s of secrets) await writer.entry(s.name, s.bytes);

    const last = snapshot.migrations.at(-1);
    const manifest: Manifest = {
      format: 1,
      archiveId,
      createdAt,
      release: APP_VERSION,
      source: src.kind,
      migration: last?.tag ?? null,
      tables: tableRows,
      lance: snapshot.pinned ? { version: snapshot.pinned.version, rows: chunks } : null,
      files: { count: files, missing },
      keys: { keyEncryptionKeys: kekIds, signingKey: src.signingKey.fingerprint },
      entries: writer.written,
      signer: {
        algorithm: "Ed25519",
        publicKeyPem: src.signingKey.publicKeyPem,
        fingerprint: src.signingKey.fingerprint,
      },
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2), "utf8");
    const digest = await writer.entry(MANIFEST_ENTRY, manifestBytes);
    await writer.entry(SIGNATURE_ENTRY, signManifest(manifestBytes, src.signingKey.privateKey));
    await sealer.finish();

    const summary: BackupSummary = {
      archiveId,
      createdAt,
      tables: tableRows.length,
      rows: tableRows.reduce((n, t) => n + t.rows, 0),
      chunks,
      files,
      missingFiles: missing,
      manifestSha256: digest.sha256,
    };
    await appendAudit(src.db, {
      type: "backup.created",
      ...by(actor),
      payload: {
        via: actor.via,
        archiveId,
        rows: summary.rows,
        chunks,
        files,
        missingFiles: missing.length,
        lanceVersion: snapshot.pinned?.version ?? null,
        migration: manifest.migration,
        manifestSha256: digest.sha256,
      },
    });
    return summary;
  } finally {
    lance.close();
  }
}
