import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type DatabaseHandle } from "@/db/client";
import { insertCollection, upsertGrant } from "@/db/queries/collections";
import { getVersionById } from "@/db/queries/documents";
import { addGroupMember, createGroup } from "@/db/queries/groups";
import { createUser } from "@/db/queries/users";
import { ingestVersion } from "@/ingest/pipeline";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { CLI_ACTOR } from "@/lib/audit/types";
import { verifyChain } from "@/lib/audit/verify";
import { actorFromUserId } from "@/lib/auth/actor";
import { prepareAnswer } from "@/lib/chat/ask";
import type { FinalAnswer } from "@/lib/chat/types";
import { acceptUpload } from "@/lib/documents/upload";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { createExtractiveGenerator } from "@/lib/models/extractive-generator";
import { readOriginal } from "@/lib/storage/files";
import { createTestDatabase } from "@/lib/testing/db";
import { createTestParser } from "@/ingest/testing/parser";
import { openChunkStore } from "@/lib/vector/store";
import { writeBackup } from "./create";
import { restoreBackup, type RestoreTarget } from "./restore";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// The round trip an operator relies on: ingest, ask, back up, lose the data folder (and the
// database), restore, and ask again. Embedded PGlite in a data folder, or the Postgres server
// named by TEST_DATABASE_URL; real LanceDB, the real USE-lite embedder, the extractive generator.

const parser = createTestParser();
const QUESTION = "When must staff perform hand hygiene?";
const HAND_HYGIENE =
  "# Hand hygiene\n\nStaff must perform hand hygiene before touching a patient and after touching patient surroundings.\n\nUse an alcohol-based hand rub for 20 to 30 seconds when hands are not visibly soiled.\n";
const usePostgres = Boolean(process.env.TEST_DATABASE_URL);

let embedder: Embedder;
let root: string;
let sourceDir: string;
let source: DatabaseHandle;
let nurseId: string;
let versionId: string;
let before: FinalAnswer;
const key = randomBytes(32);

/** A database with nothing in it, as a fresh PostgreSQL restore target is. */
async function emptyPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL!;
  const name = `kq_restore_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const run = async (q: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await run(`create database "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists "${name}" with (force)`) };
}

async function ask(db: DatabaseHandle["db"], dataDir: string, userId: string): Promise<FinalAnswer> {
  const store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: embedder.id, dim: embedder.dim });
  try {
    const actor = (await actorFromUserId(db, userId))!;
    const generator = createExtractiveGenerator({ parallel: 1, maxQueue: 1 });
    const prepared = await prepareAnswer({ db, store, embedder, generator }, actor, { message: QUESTION });
    return (await prepared.run(() => undefined, new AbortController().signal)) as FinalAnswer;
  } finally {
    await store.close();
  }
}

const citedPassages = (f: FinalAnswer) =>
  f.citations.map((c) => ({
    n: c.n,
    chunk: c.chunkId,
    version: c.versionId,
    heading: c.headingPath,
    sha: c.versionSha256,
  }));

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "kq-restore-"));
  sourceDir = path.join(root, "source");
  embedder = await createEmbedder({});
  if (usePostgres) source = await createTestDatabase();
  else {
    source = await openDatabase({ dataDir: sourceDir, owner: "cli" });
    await migrateDatabase(source);
  }
  nurseId = (
    await createUser(source.db, { email: "nurse@restore.test", name: "Nurse", roles: ["employee"], passwordHash: null })
  ).id;
  const nurses = await createGroup(source.db, { name: "Nurses" });
  await addGroupMember(source.db, { groupId: nurses.id, userId: nurseId });
  const ward = (await insertCollection(source.db, { name: "Ward", description: "", createdBy: null })).id;
  await upsertGrant(source.db, { collectionId: ward, groupId: nurses.id, access: "read" });
  const upload = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: source.db },
    { dataDir: sourceDir, maxUploadBytes: 10e6 },
    { collectionId: ward, fileName: "hand-hygiene.md", bytes: Buffer.from(HAND_HYGIENE) },
  );
  if (upload.status !== "queued") throw new Error(`upload: ${upload.status}`);
  versionId = upload.versionId;
  const store = await openChunkStore({
    uri: path.join(sourceDir, "lance"),
    embedderId: embedder.id,
    dim: embedder.dim,
  });
  await ingestVersion(
    { db: source.db, store, embedder, dataDir: sourceDir, maxDecompressedBytes: 50e6, parser },
    versionId,
    {
      progress: async () => undefined,
    },
  );
  await store.close();
  before = await ask(source.db, sourceDir, nurseId);
}, 240_000);

afterAll(async () => {
  await parser.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("backup restore", () => {
  it("brings back an installation that answers the same question with the same citations, keeps its audit chain and opens its originals", async () => {
    expect(before.citations.length).toBeGreaterThan(0);
    expect(before.answer).toContain("before touching a patient");

    const archive = path.join(root, "backup.kqa");
    const out = await fs.promises.open(archive, "wx", 0o600);
    await writeBackup(
      {
        db: source.db,
        kind: source.kind,
        dataDir: sourceDir,
        lanceUri: path.join(sourceDir, "lance"),
        encryptionKeyFile: undefined,
        signingKey: loadSigningKey({ AUDIT_SIGNING_KEY: undefined, dataDir: sourceDir }),
      },
      key,
      CLI_ACTOR,
      async (bytes) => {
        await out.write(bytes);
      },
    );
    await out.close();
    const chainBefore = await verifyChain(source.db);
    expect(chainBefore.ok).toBe(true);

    // Lose everything: the data folder, and (on Postgres) the database itself.
    await source.close();
    fs.rmSync(sourceDir, { recursive: true, force: true });

    const restoredDir = path.join(root, "restored");
    const pgTarget = usePostgres ? await emptyPostgres() : null;
    const target: RestoreTarget = {
      dataDir: restoredDir,
      databaseUrl: pgTarget?.url,
      lanceUri: path.join(restoredDir, "lance"),
      encryptionKeyFile: undefined,
      force: false,
    };
    const summary = await restoreBackup(() => fs.createReadStream(archive), key, target, CLI_ACTOR);
    expect(summary).toMatchObject({ target: source.kind, files: 1, unreadable: 0 });
    expect(summary.chunks).toBeGreaterThan(0);

    const restored = pgTarget
      ? await openDatabase({ url: pgTarget.url })
      : await openDatabase({ dataDir: restoredDir, owner: "cli" });
    try {
      const after = await ask(restored.db, restoredDir, nurseId);
      expect(after.answer).toBe(before.answer);
      expect(citedPassages(after)).toEqual(citedPassages(before));

      // The chain runs unbroken from the first event through the restore to the new question.
      const chain = await verifyChain(restored.db);
      expect(chain.firstBroken).toBeNull();
      expect(chain.ok).toBe(true);
      expect(chain.count).toBeGreaterThanOrEqual(chainBefore.count - 1 + 2);

      // The original opens with the key the archive brought, and nothing else.
      const v = (await getVersionById(restored.db, { id: versionId }))!;
      const original = await readOriginal(restoredDir, { id: v.id, storagePath: v.storagePath!, dataKey: v.dataKey });
      expect(original.toString("utf8")).toBe(HAND_HYGIENE);
    } finally {
      await restored.close();
    }

    // A second restore into the now-populated target is refused, and changes nothing.
    const files = fs.readdirSync(restoredDir).sort();
    await expect(restoreBackup(() => fs.createReadStream(archive), key, target, CLI_ACTOR)).rejects.toThrow(
      /The restore target is not empty: .*Restore into an empty target, or pass --force/,
    );
    expect(fs.readdirSync(restoredDir).sort()).toEqual(files);

    // --force replaces it: the data folder (or the PostgreSQL schema) is emptied and restored again.
    const forced = await restoreBackup(() => fs.createReadStream(archive), key, { ...target, force: true }, CLI_ACTOR);
    expect(forced.rows).toBe(summary.rows);
    const again = pgTarget
      ? await openDatabase({ url: pgTarget.url })
      : await openDatabase({ dataDir: restoredDir, owner: "cli" });
    try {
      const chain = await verifyChain(again.db);
      expect(chain.ok).toBe(true);
      // The archive's events and one backup.restored: the questions asked after the first restore are gone.
      expect(chain.count).toBe(chainBefore.count - 1 + 1);
      expect((await ask(again.db, restoredDir, nurseId)).answer).toBe(before.answer);
    } finally {
      await again.close();
    }
    await pgTarget?.drop();
  }, 300_000);

  it.runIf(usePostgres)(
    "moves an installation between PostgreSQL and the embedded database, both ways",
    async () => {
      // The Postgres archive into an embedded data folder, then that installation's own archive
      // back into a fresh PostgreSQL database: the same answer at each step.
      const archive = path.join(root, "backup.kqa");
      const embeddedDir = path.join(root, "embedded");
      const toEmbedded = await restoreBackup(
        () => fs.createReadStream(archive),
        key,
        { dataDir: embeddedDir, lanceUri: path.join(embeddedDir, "lance"), encryptionKeyFile: undefined, force: false },
        CLI_ACTOR,
      );
      expect(toEmbedded.target).toBe("pglite");
      const embedded = await openDatabase({ dataDir: embeddedDir, owner: "cli" });
      const second = path.join(root, "second.kqa");
      try {
        expect((await ask(embedded.db, embeddedDir, nurseId)).answer).toBe(before.answer);
        const out = await fs.promises.open(second, "wx", 0o600);
        await writeBackup(
          {
            db: embedded.db,
            kind: "pglite",
            dataDir: embeddedDir,
            lanceUri: path.join(embeddedDir, "lance"),
            encryptionKeyFile: undefined,
            signingKey: loadSigningKey({ AUDIT_SIGNING_KEY: undefined, dataDir: embeddedDir }),
          },
          key,
          CLI_ACTOR,
          async (bytes) => {
            await out.write(bytes);
          },
        );
        await out.close();
      } finally {
        await embedded.close();
      }
      const pgTarget = await emptyPostgres();
      const backDir = path.join(root, "back-to-postgres");
      try {
        const back = await restoreBackup(
          () => fs.createReadStream(second),
          key,
          {
            dataDir: backDir,
            databaseUrl: pgTarget.url,
            lanceUri: path.join(backDir, "lance"),
            encryptionKeyFile: undefined,
            force: false,
          },
          CLI_ACTOR,
        );
        expect(back.check.manifest.source).toBe("pglite");
        const db = await openDatabase({ url: pgTarget.url });
        try {
          const after = await ask(db.db, backDir, nurseId);
          expect(after.answer).toBe(before.answer);
          expect(citedPassages(after)).toEqual(citedPassages(before));
          expect((await verifyChain(db.db)).ok).toBe(true);
        } finally {
          await db.close();
        }
      } finally {
        await pgTarget.drop();
      }
    },
    300_000,
  );
});
