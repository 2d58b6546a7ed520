import "server-only";
import { listLatestEvaluationRuns } from "@/db/queries/evaluations";
import type { EvaluationTotals } from "@/lib/evaluation/types";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Executor } from "@/db/client";
import { countJobsByKindAndStatus } from "@/db/queries/jobs";
import {
  countCollections,
  countDocumentsByStatus,
  countUsersByState,
  countVersionsByStatus,
  databaseSize,
  getLastBackup,
  listRecentJobs,
  type RecentJob,
} from "@/db/queries/overview";
import { JOB_STATUSES, VERSION_STATUSES, type JobStatus, type VersionStatus } from "@/db/schema";

export { VERSION_STATUSES };
import type { Env } from "@/lib/env";
import type { TrackedGenerator } from "@/lib/metrics/record";
import type { GeneratorKind, GeneratorStatus } from "@/lib/models/generator";
import { configuredGenerator } from "@/lib/models/generator-config";
import { describeModelFile } from "@/lib/models/model-file";
import type { ModelServerProbe } from "@/lib/models/model-server-client";
import { USE_LITE_ID } from "@/lib/models/use-lite-embedder";
import { fileStoreFor, type FileStore, type FileStoreSettings } from "@/lib/storage/file-store";
import type { ChunkMaintenance } from "@/lib/vector/store";
import type { KeyStatus } from "@/lib/crypto/rotation";
import type { VolumeProbeRoots } from "@/lib/storage/volume";
import { storeProtection, type StoreProtection } from "./at-rest";
import { folderSize } from "./folder-size";

// What an administrator checks first: how much is stored and where, whether ingestion is
// keeping up or failing, and which models answer. Read afresh on every request; nothing here
// loads a model.

/** Users who signed in or used an API key within this many days count as active. */
export const ACTIVE_DAYS = 30;
const RECENT_JOBS = 10;

export interface OverviewJob extends Omit<RecentJob, "createdAt" | "startedAt" | "finishedAt"> {
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface AdminOverview {
  generatedAt: string;
  counts: {
    users: { total: number; active: number; disabled: number; activeDays: number };
    collections: number;
    documents: { active: number; deleted: number };
    versions: Record<VersionStatus, number>;
    /** Passages in LanceDB; null when the table could not be read (see `chunkError`). */
    chunks: number | null;
    chunkError: string | null;
  };
  storage: {
    database: { kind: "postgres" | "pglite"; location: string; bytes: number; folderBytes: number | null };
    vectors: { location: string; objectStore: boolean; bytes: number | null };
    /** `error` only when the files store could not be listed (then the figures are 0). */
    originals: { location: string; bytes: number; files: number; error?: string };
    /** Per store: whether the product encrypts it or it relies on the volume, and what the volume is. */
    atRest: StoreProtection[];
  };
  jobs: { byStatus: Record<JobStatus, number>; recent: OverviewJob[]; failures: OverviewJob[] };
  /** Each evaluated collection's latest run (lib/evaluation); `passed: false` flags it. */
  evaluations: {
    collectionId: string;
    collectionName: string;
    recallAt5: number;
    minRecall: number;
    passed: boolean;
    createdAt: string;
  }[];
  models: {
    generator: {
      kind: GeneratorKind;
      modelFile: string | null;
      modelBytes: number | null;
      source: string | null;
      /** Whether this process has loaded it (the first question does). */
      loaded: boolean;
      /** "cpu", or the GPU backend; null until loaded. */
      device: string | null;
      threads: number | null;
      queue: Omit<GeneratorStatus, "kind"> | null;
      /** `openai` only: whether the model server answers now, and what it serves. */
      modelServer: ModelServerProbe | null;
    };
    /** The id the vectors record; `error` when the configured GGUF cannot be read. */
    embedder: { id: string | null; modelFile: string | null; error: string | null };
  };
}

export interface OverviewDeps {
  db: Executor;
  databaseKind: "postgres" | "pglite";
  env: Pick<
    Env,
    "dataDir" | "lanceUri" | "DATABASE_URL" | "MODEL_PATH" | "MODELS_DIR" | "modelsDir" | "EMBEDDING_MODEL_PATH"
  > &
    Partial<Pick<Env, "MODEL_SERVER_URL" | "MODEL_SERVER_MODEL" | "MODEL_SERVER_SHA256">> &
    Partial<FileStoreSettings>;
  /** Opens the chunk table for counting; it is closed again afterwards. */
  openChunks: () => Promise<ChunkMaintenance>;
  /** The process's generator, if it has created one. */
  generator: TrackedGenerator | null;
  /** Asks the configured model server whether it answers; left out where none is configured. */
  probeModelServer?: () => Promise<ModelServerProbe>;
  /** `keys status` for the originals' row; left out, the row names no key. */
  keyStatus?: () => Promise<KeyStatus>;
  /** Where the volume check reads mounts and block devices (tests point it at a fixture). */
  volumeRoots?: VolumeProbeRoots;
  now?: Date;
}

export async function getAdminOverview(deps: OverviewDeps): Promise<AdminOverview> {
  const { db, env: e } = deps;
  const now = deps.now ?? new Date();
  const activeSince = new Date(now.getTime() - ACTIVE_DAYS * 24 * 3600 * 1000);
  const originalsStore = fileStoreFor(e.dataDir, {
    FILES_URI: e.FILES_URI,
    S3_ENDPOINT: e.S3_ENDPOINT,
    AWS_REGION: e.AWS_REGION,
    AWS_ACCESS_KEY_ID: e.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: e.AWS_SECRET_ACCESS_KEY,
    S3_FORCE_PATH_STYLE: e.S3_FORCE_PATH_STYLE ?? false,
  });
  const [
    users,
    collections,
    documents,
    versions,
    jobCounts,
    recent,
    failures,
    dbBytes,
    chunks,
    originals,
    vectors,
    database,
    generator,
    embedder,
    lastBackup,
    evaluations,
  ] = await Promise.all([
    countUsersByState(db, { activeSince }),
    countCollections(db),
    countDocumentsByStatus(db),
    countVersionsByStatus(db),
    countJobsByKindAndStatus(db),
    listRecentJobs(db, { limit: RECENT_JOBS }),
    listRecentJobs(db, { limit: RECENT_JOBS, status: "failed" }),
    databaseSize(db),
    countChunks(deps.openChunks),
    originalsUsage(originalsStore),
    vectorStorage(e.lanceUri),
    databaseLocation(deps.databaseKind, e),
    generatorStatus(deps),
    embedderStatus(e.EMBEDDING_MODEL_PATH),
    getLastBackup(db),
    listLatestEvaluationRuns(db),
  ]);

  const versionCounts = Object.fromEntries(VERSION_STATUSES.map((s) => [s, 0])) as Record<VersionStatus, number>;
  for (const v of versions) versionCounts[v.status] = v.count;
  const atRest = await storeProtection({
    database,
    vectors,
    originals: { location: originalsStore.location, objectStore: originalsStore.kind === "s3" },
    keys: deps.keyStatus ? await deps.keyStatus().catch((err: unknown) => toError(err)) : null,
    lastBackup,
    roots: deps.volumeRoots,
  });
  const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const j of jobCounts) byStatus[j.status] += j.count;

  return {
    generatedAt: now.toISOString(),
    counts: {
      users: { ...users, activeDays: ACTIVE_DAYS },
      collections,
      documents: {
        active: documents.find((d) => d.status === "active")?.count ?? 0,
        deleted: documents.find((d) => d.status === "deleted")?.count ?? 0,
      },
      versions: versionCounts,
      ...chunks,
    },
    storage: {
      database: { ...database, bytes: dbBytes },
      vectors,
      originals: { location: originalsStore.location, ...originals },
      atRest,
    },
    jobs: { byStatus, recent: recent.map(serializeJob), failures: failures.map(serializeJob) },
    evaluations: evaluations
      .map((r) => ({
        collectionId: r.collectionId,
        collectionName: r.collectionName,
        recallAt5: (r.totals as EvaluationTotals).recallAt5,
        minRecall: r.minRecall,
        passed: r.passed,
        createdAt: r.createdAt.toISOString(),
      }))
      .sort((a, b) => Number(a.passed) - Number(b.passed) || a.collectionName.localeCompare(b.collectionName)),
    models: { generator, embedder },
  };
}

const toError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/** The page must still show everything else when the object store is unreachable. */
async function originalsUsage(store: FileStore): Promise<{ bytes: number; files: number; error?: string }> {
  try {
    return await store.usage();
  } catch (err) {
    return { bytes: 0, files: 0, error: toError(err).message };
  }
}

async function countChunks(
  open: () => Promise<ChunkMaintenance>,
): Promise<{ chunks: number | null; chunkError: string | null }> {
  let store: ChunkMaintenance | undefined;
  try {
    store = await open();
    return { chunks: await store.countRows(), chunkError: null };
  } catch (err) {
    // The page must still show everything else when the vector store is unreachable.
    return { chunks: null, chunkError: (err as Error).message };
  } finally {
    await store?.close();
  }
}

/** A local folder is measured; an object store (s3://, gs://, az://) is only named. */
async function vectorStorage(uri: string): Promise<AdminOverview["storage"]["vectors"]> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme && scheme !== "file") return { location: redactUri(uri), objectStore: true, bytes: null };
  const dir = scheme === "file" ? new URL(uri).pathname : uri;
  return { location: dir, objectStore: false, bytes: (await folderSize(dir)).bytes };
}

async function databaseLocation(
  kind: "postgres" | "pglite",
  e: OverviewDeps["env"],
): Promise<{ kind: "postgres" | "pglite"; location: string; folderBytes: number | null }> {
  if (kind === "postgres" && e.DATABASE_URL) return { kind, location: redactUri(e.DATABASE_URL), folderBytes: null };
  const dir = path.join(e.dataDir, "pg");
  return { kind, location: dir, folderBytes: (await folderSize(dir)).bytes };
}

/** Host, port and path only: credentials and query parameters never reach a page. */
export function redactUri(uri: string): string {
  if (!URL.canParse(uri)) return "(unparseable URI)";
  const u = new URL(uri);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

async function generatorStatus(deps: OverviewDeps): Promise<AdminOverview["models"]["generator"]> {
  const configured = await configuredGenerator(deps.env);
  let modelBytes: number | null = null;
  if (configured.modelPath)
    modelBytes = await stat(configured.modelPath).then(
      (s) => s.size,
      () => null,
    );
  const modelServer = configured.server && deps.probeModelServer ? await deps.probeModelServer() : null;
  const base = {
    kind: configured.kind,
    modelFile: configured.modelPath
      ? path.basename(configured.modelPath)
      : (modelServer?.model?.id ?? configured.server?.model ?? null),
    modelBytes: modelBytes ?? modelServer?.model?.bytes ?? null,
    source: configured.source,
    modelServer,
  };
  const loaded = deps.generator;
  if (!loaded)
    return { ...base, loaded: false, device: modelServer?.model?.device ?? null, threads: null, queue: null };
  const identity = loaded.identity();
  const { kind, ...queue } = loaded.status();
  return {
    ...base,
    kind,
    modelFile: identity.modelFile ?? base.modelFile,
    modelBytes: identity.modelBytes ?? base.modelBytes,
    loaded: true,
    device:
      identity.kind === "llama"
        ? (identity.gpu ?? "cpu")
        : identity.kind === "openai"
          ? (identity.gpu ?? modelServer?.model?.device ?? null)
          : null,
    threads: identity.threads,
    queue,
  };
}

/** The GGUF embedder's id carries its hash: computed once per process and cached (the embedder computes it too). */
async function embedderStatus(modelPath: string | undefined): Promise<AdminOverview["models"]["embedder"]> {
  if (!modelPath) return { id: USE_LITE_ID, modelFile: null, error: null };
  try {
    const file = await describeModelFile(modelPath);
    return { id: `gguf:${file.fileName}:${file.sha256.slice(0, 12)}`, modelFile: file.path, error: null };
  } catch (err) {
    return { id: null, modelFile: path.resolve(modelPath), error: (err as Error).message };
  }
}

function serializeJob(j: RecentJob): OverviewJob {
  return {
    ...j,
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}
