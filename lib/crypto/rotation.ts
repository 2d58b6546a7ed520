import "server-only";
import fs from "node:fs";
import path from "node:path";
import { and, eq, isNotNull, isNull, ne, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { documentVersions } from "@/db/schema";
import { appendAudit, by as auditBy } from "@/lib/audit/log";
import { AppError } from "@/lib/errors";
import { requireRoleNow, type ServiceContext } from "@/lib/service/context";
import { deleteOriginal, encryptLegacyOriginal, unwrapStoredKey } from "@/lib/storage/files";
import { listMfaSecretsNotUnder, resealMfaSecret } from "@/db/queries/mfa";
import { openTotpSecret, sealTotpSecret } from "@/lib/auth/mfa-secret";
import { wrapDataKey } from "./envelope";
import {
  adoptKey,
  DEFAULT_KEY_FILE,
  newHexKey,
  parseHexKey,
  PENDING_KEY_FILE,
  readKeyFile,
  reloadKeyring,
  secretsDir,
  kekId,
  type Kek,
} from "./keyring";
import { readOrCreateSecretFile } from "@/lib/secrets";

// `keys rotate` and `keys status`. Rotation re-wraps each original's data key under a new
// key-encryption key (a few bytes per row, never the content) and encrypts the plain files an
// older release left. It can be interrupted and run again: until the last row is re-wrapped both
// keys stay readable (the new one waits in DATA_DIR/secrets/encryption-key.next, or is the file the
// operator passed), and each batch is one transaction.

const BATCH = 200;
const keyIdOf = sql<string>`split_part(${documentVersions.dataKey}, ':', 1)`;

export interface KeyStatus {
  keyId: string;
  source: string;
  managed: "file" | "generated";
  /** A rotation that stopped before it finished; run `keys rotate` again. */
  pendingRotation: string | null;
  originals: { keyId: string; count: number; readable: boolean }[];
  plainOriginals: number;
}

export async function keyStatus(db: Database, opts: { dataDir: string; keyFile?: string }): Promise<KeyStatus> {
  const ring = reloadKeyring(opts.dataDir, opts.keyFile);
  const rows = await db
    .select({ keyId: keyIdOf, count: sql<number>`count(*)::int` })
    .from(documentVersions)
    .where(and(isNotNull(documentVersions.storagePath), isNotNull(documentVersions.dataKey)))
    .groupBy(keyIdOf);
  const [plain] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(documentVersions)
    .where(and(isNotNull(documentVersions.storagePath), isNull(documentVersions.dataKey)));
  const known = new Set([ring.current.id, ...ring.others.map((k) => k.id)]);
  return {
    keyId: ring.current.id,
    source: ring.current.source,
    managed: ring.managed,
    pendingRotation: ring.others[0]?.id ?? null,
    originals: rows.map((r) => ({ keyId: r.keyId, count: Number(r.count), readable: known.has(r.keyId) })),
    plainOriginals: Number(plain?.count ?? 0),
  };
}

export interface RotationResult {
  from: string;
  to: string;
  rewrapped: number;
  /** TOTP secrets re-sealed under the new key. */
  mfaSecrets: number;
  encryptedPlain: number;
  /** Plain originals whose file was already gone; their rows are left as they are. */
  missingPlain: number;
  /** What the operator still has to do, if anything. */
  next: string | null;
}

function newKeyFor(dataDir: string, managed: "file" | "generated", newKeyFile: string | undefined): Kek {
  if (managed === "file") {
    if (!newKeyFile)
      throw new AppError(
        "invalid_request",
        "The key-encryption key comes from ENCRYPTION_KEY_FILE: pass the new key with --new-key-file FILE (64 hex characters, e.g. from `openssl rand -hex 32`).",
      );
    return readKeyFile(path.resolve(newKeyFile), "--new-key-file");
  }
  if (newKeyFile)
    throw new AppError(
      "invalid_request",
      "This installation generates its own key-encryption key; --new-key-file applies only when ENCRYPTION_KEY_FILE is set. Run `keys rotate` without it, or set ENCRYPTION_KEY_FILE first.",
    );
  const source = path.join(secretsDir(dataDir), PENDING_KEY_FILE);
  const key = parseHexKey(readOrCreateSecretFile(dataDir, PENDING_KEY_FILE, newHexKey), `The key file ${source}`);
  return { id: kekId(key), key, source };
}

/** Re-wraps every data key under a new key-encryption key; for administrators (re-read now) and the operator. */
export async function rotateKeys(
  ctx: ServiceContext,
  opts: { dataDir: string; keyFile?: string; newKeyFile?: string },
): Promise<RotationResult> {
  const { actor, db } = ctx;
  await requireRoleNow(ctx, "admin", "rotate the encryption keys");
  const ring = reloadKeyring(opts.dataDir, opts.keyFile);
  const target = newKeyFor(opts.dataDir, ring.managed, opts.newKeyFile);
  if (ring.managed === "file" && target.id === ring.current.id)
    throw new AppError("invalid_request", `--new-key-file holds the key already in use (${target.id}).`);
  const from = ring.current.id;

  let rewrapped = 0;
  for (;;) {
    const rows = await db
      .select({ id: documentVersions.id, storagePath: documentVersions.storagePath, dataKey: documentVersions.dataKey })
      .from(documentVersions)
      .where(and(isNotNull(documentVersions.dataKey), ne(keyIdOf, target.id)))
      .limit(BATCH);
    if (rows.length === 0) break;
    // Unwrapped before the transaction: a key this installation no longer has stops the rotation here,
    // naming the key, with every row still readable as before.
    const updates = rows.map((r) => {
      const ref = { id: r.id, storagePath: r.storagePath ?? "", dataKey: r.dataKey! };
      const dataKey = unwrapStoredKey(opts.dataDir, ref, { keyFile: opts.keyFile });
      return { id: r.id, old: r.dataKey!, wrapped: wrapDataKey(target, r.id, dataKey) };
    });
    await db.transaction(async (tx) => {
      for (const u of updates)
        await tx
          .update(documentVersions)
          .set({ dataKey: u.wrapped })
          .where(and(eq(documentVersions.id, u.id), eq(documentVersions.dataKey, u.old)));
    });
    rewrapped += updates.length;
  }

  // TOTP secrets are sealed by the same key; one left behind would lock its owner out.
  let mfaSecrets = 0;
  for (;;) {
    const rows = await listMfaSecretsNotUnder(db, { keyId: target.id, limit: BATCH });
    if (rows.length === 0) break;
    const updates = rows.map((r) => ({
      userId: r.userId,
      old: r.secret,
      secret: sealTotpSecret(
        r.userId,
        openTotpSecret(r.userId, r.secret, { dataDir: opts.dataDir, keyFile: opts.keyFile }),
        target,
      ),
    }));
    await db.transaction(async (tx) => {
      for (const u of updates) await resealMfaSecret(tx, u);
    });
    mfaSecrets += updates.length;
  }

  let encryptedPlain = 0;
  let missingPlain = 0;
  const skipped = new Set<string>();
  for (;;) {
    const rows = (
      await db
        .select({ id: documentVersions.id, storagePath: documentVersions.storagePath })
        .from(documentVersions)
        .where(and(isNotNull(documentVersions.storagePath), isNull(documentVersions.dataKey)))
        .limit(BATCH + skipped.size)
    ).filter((r) => !skipped.has(r.id));
    if (rows.length === 0) break;
    for (const r of rows) {
      const legacy = r.storagePath!;
      if (!fs.existsSync(path.join(opts.dataDir, "files", legacy))) {
        skipped.add(r.id);
        missingPlain++;
        continue;
      }
      // The encrypted copy goes to a new path; the row moves to it in one update, and only then is
      // the plain file removed, so an interruption at any point leaves a readable original.
      const saved = await encryptLegacyOriginal(opts.dataDir, { id: r.id, storagePath: legacy, dataKey: null }, target);
      const moved = await db
        .update(documentVersions)
        .set({ storagePath: saved.storagePath, dataKey: saved.dataKey })
        .where(and(eq(documentVersions.id, r.id), isNull(documentVersions.dataKey)))
        .returning({ id: documentVersions.id });
      if (moved.length > 0 && saved.storagePath !== legacy) await deleteOriginal(opts.dataDir, legacy);
      encryptedPlain += moved.length;
    }
  }

  await db.transaction(async (tx) => {
    await appendAudit(tx, {
      type: "keys.rotated",
      ...auditBy(actor),
      payload: { via: actor.via, from, to: target.id, rewrapped, mfaSecrets, encryptedPlain, missingPlain },
    });
  });

  let next: string | null = null;
  if (ring.managed === "generated") {
    fs.renameSync(target.source, path.join(secretsDir(opts.dataDir), DEFAULT_KEY_FILE));
    reloadKeyring(opts.dataDir, opts.keyFile);
  } else {
    adoptKey(opts.dataDir, opts.keyFile, target);
    next = `Point ENCRYPTION_KEY_FILE at ${path.resolve(opts.newKeyFile!)} on every node and restart them; until then a node with the old key cannot open the originals. The old key is no longer needed.`;
  }
  return { from, to: target.id, rewrapped, mfaSecrets, encryptedPlain, missingPlain, next };
}
