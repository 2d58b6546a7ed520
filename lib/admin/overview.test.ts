import { CLI_ACTOR } from "@/lib/audit/types";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { claimJob, finishJob } from "@/db/queries/jobs";
import { recordLogin } from "@/db/queries/users";
import { createApiKeyForUser } from "@/lib/auth/api-key-admin";
import { actorFromApiKey } from "@/lib/auth/actor";
import { addCollection } from "@/lib/collections/admin";
import { acceptUpload, INGEST_JOB } from "@/lib/documents/upload";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser, updateUser } from "@/lib/users/admin";
import { USE_LITE_ID } from "@/lib/models/use-lite-embedder";
import { basisVector, chunkRow, docFixture } from "@/lib/vector/chunk-fixtures";
import { openChunkStore, openChunkStoreForReset } from "@/lib/vector/store";
import { keyStatus } from "@/lib/crypto/rotation";
import { writeFile, mkdir } from "node:fs/promises";
import { SEARCH_NEEDS_PLAINTEXT } from "./at-rest";
import { getAdminOverview, redactUri, type OverviewDeps } from "./overview";
import { FILE_OVERHEAD_BYTES } from "@/lib/crypto/envelope";
import { SYSTEM_ACTOR, asUser } from "@/lib/testing/actors";

const STORIES = path.resolve(process.cwd(), "../shared/models/stories260K.gguf");

let h: DatabaseHandle;
let dataDir: string;
let lanceUri: string;
let uploadedBytes = 0;
let failedDocument: string;

beforeAll(async () => {
  h = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), "kq-overview-"));
  lanceUri = path.join(dataDir, "lance");

  const admin = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    {
      email: "admin@example.org",
      name: "Admin",
      roles: ["admin"],
      password: "a long password",
    },
  );
  await recordLogin(h.db, { userId: admin.id });
  const keyUser = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    {
      email: "robot@example.org",
      name: "Robot",
      roles: ["employee"],
      password: "a long password",
    },
  );
  await actorFromApiKey(
    h.db,
    (await createApiKeyForUser({ actor: CLI_ACTOR, db: h.db }, { userId: keyUser.id, name: "ci" })).key,
  );
  await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "idle@example.org", name: "Idle", roles: ["employee"], password: "a long password" },
  );
  const gone = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    {
      email: "gone@example.org",
      name: "Gone",
      roles: ["employee"],
      password: "a long password",
    },
  );
  await updateUser({ actor: asUser(admin.id), db: h.db }, { userId: gone.id, changes: { disabled: true } });

  const collection = await addCollection(
    { actor: asUser(admin.id), db: h.db },
    { name: "Ward protocols", description: "" },
  );
  const limits = { dataDir, maxUploadBytes: 1024 * 1024 };
  for (const [fileName, text] of [
    ["scan.pdf", "%PDF-1.4 not really"],
    ["hand-hygiene.md", "# Hand hygiene\nWash for 20 seconds."],
  ] as const) {
    const bytes = new TextEncoder().encode(text);
    uploadedBytes += bytes.byteLength;
    const outcome = await acceptUpload({ actor: asUser(admin.id), db: h.db }, limits, {
      collectionId: collection.id,
      fileName,
      bytes,
    });
    expect(outcome.status).toBe("queued");
  }
  // The worker takes the oldest job and gives up on it, as it would on a file with no text.
  const job = await claimJob(h.db, { workerId: "test-worker", kinds: [INGEST_JOB], staleBefore: new Date(0) });
  await finishJob(h.db, {
    id: job!.id,
    workerId: "test-worker",
    status: "failed",
    error: "The PDF has no extractable text.",
  });
  failedDocument = "scan.pdf";

  const store = await openChunkStore({ uri: lanceUri, embedderId: "test-embedder@1", dim: 8 });
  const doc = docFixture(collection.id);
  await store.replaceVersionChunks(
    doc.versionId,
    [0, 1, 2].map((i) => chunkRow(doc, i, `passage ${i}`, basisVector(8, i))),
  );
  await store.close();
});

afterAll(async () => {
  await h.close();
  await rm(dataDir, { recursive: true, force: true });
});

function deps(overrides: Partial<OverviewDeps> = {}): OverviewDeps {
  return {
    db: h.db,
    databaseKind: "pglite",
    env: {
      dataDir,
      lanceUri,
      DATABASE_URL: undefined,
      MODEL_PATH: undefined,
      MODELS_DIR: undefined,
      modelsDir: path.join(dataDir, "models"),
      EMBEDDING_MODEL_PATH: undefined,
    },
    openChunks: () => openChunkStoreForReset({ uri: lanceUri }),
    generator: null,
    ...overrides,
  };
}

describe("the admin overview", () => {
  it("counts users, collections, documents, versions and chunks as they are now", async () => {
    const o = await getAdminOverview(deps());
    // Active: signed in (admin) or used an API key (robot) within 30 days; disabled users never count.
    expect(o.counts.users).toEqual({ total: 4, active: 2, disabled: 1, activeDays: 30 });
    expect(o.counts.collections).toBe(1);
    expect(o.counts.documents).toEqual({ active: 2, deleted: 0 });
    expect(o.counts.versions).toMatchObject({ queued: 2, processing: 0, ready: 0, failed: 0 });
    expect(o.counts.chunks).toBe(3);
    expect(o.counts.chunkError).toBeNull();
  });

  it("measures storage where it lives", async () => {
    const o = await getAdminOverview(deps());
    // Bytes on disk: the originals are stored encrypted, each a fixed envelope larger than uploaded.
    expect(o.storage.originals).toEqual({
      location: path.join(dataDir, "files"),
      bytes: uploadedBytes + 2 * FILE_OVERHEAD_BYTES,
      files: 2,
    });
    expect(o.storage.vectors.objectStore).toBe(false);
    expect(o.storage.vectors.bytes).toBeGreaterThan(0);
    expect(o.storage.database.bytes).toBeGreaterThan(0);
    expect(o.storage.database.location).toBe(path.join(dataDir, "pg"));

    const remote = await getAdminOverview(
      deps({
        databaseKind: "postgres",
        env: {
          ...deps().env,
          DATABASE_URL: "postgres://app:hunter2@db.internal:5432/knowledge?sslmode=require",
          lanceUri: "s3://AKIA:secret@bucket/kq?region=eu",
        },
        openChunks: () => Promise.reject(new Error("The object store cannot be reached.")),
      }),
    );
    expect(remote.storage.database).toMatchObject({
      kind: "postgres",
      location: "postgres://db.internal:5432/knowledge",
      folderBytes: null,
    });
    expect(remote.storage.vectors).toEqual({ location: "s3://bucket/kq", objectStore: true, bytes: null });
    expect(JSON.stringify(remote)).not.toMatch(/hunter2|secret|AKIA/);
    // An unreachable vector store costs the chunk count, not the page.
    expect(remote.counts).toMatchObject({
      chunks: null,
      chunkError: "The object store cannot be reached.",
      collections: 1,
    });
  });

  it("says which stores the product encrypts and which rely on the volume, and finds dm-crypt under DATA_DIR", async () => {
    // DATA_DIR on a LUKS mapping, laid out as /proc/self/mountinfo and /sys show one.
    const fake = path.join(dataDir, "probe");
    await mkdir(path.join(fake, "sys/dev/block/253:7/dm"), { recursive: true });
    await writeFile(
      path.join(fake, "sys/dev/block/253:7/dm/uuid"),
      "CRYPT-LUKS2-00112233445566778899aabbccddeeff-kq\n",
    );
    await writeFile(path.join(fake, "sys/dev/block/253:7/dm/name"), "kq\n");
    await writeFile(
      path.join(fake, "mountinfo"),
      `1 0 254:0 / / rw - ext4 /dev/vda rw\n2 1 253:7 / ${dataDir} rw - ext4 /dev/mapper/kq rw\n`,
    );
    const volumeRoots = { mountinfo: path.join(fake, "mountinfo"), sys: path.join(fake, "sys") };
    const o = await getAdminOverview(deps({ volumeRoots, keyStatus: () => keyStatus(h.db, { dataDir }) }));
    const by = Object.fromEntries(o.storage.atRest.map((s) => [s.store, s]));
    expect(Object.keys(by)).toEqual(["database", "vectors", "originals", "backups"]);
    expect(by.database).toMatchObject({ encryptedBy: "volume", volume: { encryption: "dm-crypt", mapping: "kq" } });
    expect(by.vectors).toMatchObject({ encryptedBy: "volume", volume: { encryption: "dm-crypt" } });
    expect(by.originals).toMatchObject({ encryptedBy: "application", volume: { encryption: "dm-crypt" } });
    const ring = await keyStatus(h.db, { dataDir });
    expect(by.originals!.how).toContain(`Key ${ring.keyId}, generated in ${path.join(dataDir, "secrets")}`);
    expect(by.originals!.how).toContain("2 originals stored under it.");
    expect(by.backups).toMatchObject({ encryptedBy: "application", volume: null });
    expect(SEARCH_NEEDS_PLAINTEXT).toMatch(/cannot be encrypted by the application without losing search/);

    // The same DATA_DIR on an unencrypted disk; a server database and an object store cannot be inspected.
    await writeFile(path.join(fake, "mountinfo"), "1 0 254:0 / / rw - ext4 /dev/vda rw\n");
    await mkdir(path.join(fake, "sys/dev/block/254:0"), { recursive: true });
    const remote = await getAdminOverview(
      deps({
        volumeRoots,
        databaseKind: "postgres",
        env: { ...deps().env, DATABASE_URL: "postgres://db.internal/kq", lanceUri: "s3://bucket/kq" },
        openChunks: () => Promise.reject(new Error("unreachable")),
        keyStatus: () => Promise.reject(new Error("ENCRYPTION_KEY_FILE points at /run/kq/key, which does not exist.")),
      }),
    );
    const r = Object.fromEntries(remote.storage.atRest.map((s) => [s.store, s]));
    expect(r.database).toMatchObject({ encryptedBy: "volume", volume: null });
    expect(r.database!.how).toMatch(/PostgreSQL server's storage/);
    expect(r.vectors).toMatchObject({ volume: null });
    expect(r.vectors!.how).toMatch(/object store's server-side encryption/);
    expect(r.originals!.volume).toMatchObject({ encryption: "not-detected", device: "254:0" });
    expect(r.originals!.how).toContain("The key-encryption key cannot be read: ENCRYPTION_KEY_FILE points at");
  });

  it("shows recent jobs and failures with their error and document", async () => {
    const o = await getAdminOverview(deps());
    expect(o.jobs.byStatus).toEqual({ queued: 1, running: 0, succeeded: 0, failed: 1 });
    expect(o.jobs.recent).toHaveLength(2);
    expect(o.jobs.failures).toHaveLength(1);
    expect(o.jobs.failures[0]).toMatchObject({
      kind: INGEST_JOB,
      status: "failed",
      error: "The PDF has no extractable text.",
      documentName: failedDocument,
      collectionName: "Ward protocols",
    });
    expect(o.jobs.failures[0]!.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("describes the configured models without loading them, and the loaded generator's queue once there is one", async () => {
    const plain = await getAdminOverview(deps());
    expect(plain.models.generator).toMatchObject({ kind: "extractive", modelFile: null, loaded: false, queue: null });
    expect(plain.models.embedder).toEqual({ id: USE_LITE_ID, modelFile: null, error: null });

    const configured = await getAdminOverview(
      deps({ env: { ...deps().env, MODEL_PATH: STORIES, EMBEDDING_MODEL_PATH: STORIES } }),
    );
    expect(configured.models.generator).toMatchObject({
      kind: "llama",
      modelFile: "stories260K.gguf",
      modelBytes: 1185376,
      source: "MODEL_PATH",
      loaded: false,
      device: null,
    });
    expect(configured.models.embedder).toEqual({
      id: "gguf:stories260K.gguf:270cba1bd510",
      modelFile: STORIES,
      error: null,
    });

    const missing = await getAdminOverview(
      deps({ env: { ...deps().env, EMBEDDING_MODEL_PATH: "/nowhere/embed.gguf" } }),
    );
    expect(missing.models.embedder).toEqual({
      id: null,
      modelFile: "/nowhere/embed.gguf",
      error: "The model file /nowhere/embed.gguf does not exist.",
    });

    // The generator contract's status() and identity(); the real generators live on another branch of the code.
    const loaded = await getAdminOverview(
      deps({
        env: { ...deps().env, MODEL_PATH: STORIES },
        generator: {
          status: () => ({ kind: "llama", active: 1, parallel: 2, queued: 4, maxQueue: 16 }),
          identity: () => ({
            kind: "llama",
            modelFile: "stories260K.gguf",
            modelBytes: 1185376,
            modelSha256: "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d",
            architecture: "llama",
            quantization: "F32",
            contextSize: 512,
            gpu: "cuda",
            threads: 2,
            sampling: null,
          }),
        },
      }),
    );
    expect(loaded.models.generator).toMatchObject({
      loaded: true,
      device: "cuda",
      threads: 2,
      queue: { active: 1, parallel: 2, queued: 4, maxQueue: 16 },
    });
  });

  it("shows whether the configured model server answers and what it serves", async () => {
    const probe = {
      server: "http://gpu-01.internal:8081/v1",
      reachable: true,
      latencyMs: 12,
      model: {
        id: "llama-3.1-8b.Q4_K_M.gguf",
        sha256: "ab".repeat(32),
        contextSize: 8192,
        file: "llama-3.1-8b.Q4_K_M.gguf",
        bytes: 4_920_000_000,
        architecture: "llama",
        quantization: "Q4_K_M",
        device: "cuda",
      },
      error: null,
    };
    const o = await getAdminOverview(
      deps({
        env: { ...deps().env, MODEL_SERVER_URL: "http://gpu-01.internal:8081/v1" },
        probeModelServer: async () => probe,
      }),
    );
    expect(o.models.generator).toMatchObject({
      kind: "openai",
      source: "MODEL_SERVER_URL",
      modelFile: "llama-3.1-8b.Q4_K_M.gguf",
      modelBytes: 4_920_000_000,
      device: "cuda",
      loaded: false,
      modelServer: probe,
    });
    const down = {
      ...probe,
      reachable: false,
      latencyMs: null,
      model: null,
      error: "cannot be reached (ECONNREFUSED)",
    };
    const unreachable = await getAdminOverview(
      deps({
        env: { ...deps().env, MODEL_SERVER_URL: "http://gpu-01.internal:8081/v1", MODEL_SERVER_MODEL: "m1" },
        probeModelServer: async () => down,
      }),
    );
    expect(unreachable.models.generator).toMatchObject({ kind: "openai", modelFile: "m1", modelServer: down });
    // No model server configured: nothing is probed.
    const plain = await getAdminOverview(
      deps({
        probeModelServer: async () => {
          throw new Error("must not be called");
        },
      }),
    );
    expect(plain.models.generator.modelServer).toBeNull();
  });

  it("never shows credentials from a URI", () => {
    expect(redactUri("postgresql://u:p@h/db?password=x")).toBe("postgresql://h/db");
    expect(redactUri("not a uri")).toBe("(unparseable URI)");
  });
});
