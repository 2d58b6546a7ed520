import "server-only";
import { z } from "zod";
import type { Database } from "@/db/client";
import { listUsers } from "@/db/queries/users";
import { createApiKeyForUser, revokeApiKeyByPrefix } from "@/lib/auth/api-key-admin";
import { resetMfa } from "@/lib/auth/mfa";
import { newApiKeyRequestSchema } from "@/lib/auth/api-key-policy";
import { AppError } from "@/lib/errors";
import { addUser, requireUserByEmail, updateUser } from "@/lib/users/admin";
import { apiKeyNameSchema, createUserSchema, emailSchema } from "@/lib/users/schemas";
import { userJson } from "@/lib/users/serialize";
import { getCollectionByName } from "@/db/queries/collections";
import { listJobsByIds } from "@/db/queries/jobs";
import { addCollection } from "@/lib/collections/admin";
import { collectionNameSchema } from "@/lib/collections/schemas";
import { parseEffectiveDate } from "@/lib/documents/effective";
import { acceptUpload } from "@/lib/documents/upload";
import { startAuditExport, type AuditExport } from "@/lib/audit/export";
import { auditFilterSchema } from "@/lib/audit/filters";
import { holdSchema, listHolds, placeLegalHold, releaseHold } from "@/lib/audit/holds";
import { runRetentionSweep } from "@/lib/audit/retention";
import { verifyAndRecord } from "@/lib/audit/service";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { CLI_ACTOR } from "@/lib/audit/types";
import { env } from "@/lib/env";
import { jobJson } from "@/lib/jobs/queue";
import { reindexAll } from "@/lib/server/reindex";
import { discardStaged, evaluateStaged, stageReindex, swapStaged } from "@/lib/server/staged-reindex-runtime";
import { keyStatus, rotateKeys } from "@/lib/crypto/rotation";
import { wakeWorkers } from "@/lib/jobs/local-workers";
import { pullFrom } from "@/lib/backup/channel";
import { writeBackup } from "@/lib/backup/create";
import { readBackupKey } from "@/lib/backup/key";
import { goldenCaseSchema, MAX_CASES } from "@/lib/evaluation/golden";
import { runEvaluation } from "@/lib/evaluation/run";
import { getGenerator } from "@/lib/models/generator-runtime";
import { getChunkStore, getEmbedder } from "@/lib/server/index-runtime";

// What the CLI can do, as data: the same operation runs in the CLI process (Postgres, or an
// embedded database no server holds) or inside the running server (embedded database it owns).

interface Operation<S extends z.ZodType> {
  input: S;
  run(db: Database, input: z.infer<S>): Promise<unknown>;
}

function op<S extends z.ZodType>(input: S, run: (db: Database, input: z.infer<S>) => Promise<unknown>): Operation<S> {
  return { input, run };
}

export const operations = {
  "user.add": op(createUserSchema, async (db, input) => userJson(await addUser({ actor: CLI_ACTOR, db }, input))),
  "user.disable": op(z.object({ email: emailSchema }), async (db, { email }) => {
    const user = await requireUserByEmail(db, email);
    return userJson(await updateUser({ actor: CLI_ACTOR, db }, { userId: user.id, changes: { disabled: true } }));
  }),
  "user.enable": op(z.object({ email: emailSchema }), async (db, { email }) => {
    const user = await requireUserByEmail(db, email);
    return userJson(await updateUser({ actor: CLI_ACTOR, db }, { userId: user.id, changes: { disabled: false } }));
  }),
  "user.reset_mfa": op(z.object({ email: emailSchema }), async (db, { email }) => {
    const user = await requireUserByEmail(db, email);
    return { email: user.email, ...(await resetMfa({ actor: CLI_ACTOR, db }, { userId: user.id })) };
  }),
  "user.list": op(z.object({}), async (db) => (await listUsers(db)).map(userJson)),
  "apikey.create": op(
    newApiKeyRequestSchema.extend({ email: emailSchema, name: apiKeyNameSchema.default("cli") }),
    async (db, { email, ...request }) => {
      const user = await requireUserByEmail(db, email);
      if (user.disabled) throw new AppError("conflict", `The user ${email} is disabled; enable the account first.`);
      const { key, apiKey } = await createApiKeyForUser({ actor: CLI_ACTOR, db }, { userId: user.id, ...request });
      return {
        key,
        prefix: apiKey.prefix,
        name: apiKey.name,
        email: user.email,
        expiresAt: apiKey.expiresAt?.toISOString() ?? null,
        scopes: apiKey.scopes,
      };
    },
  ),
  "apikey.revoke": op(
    z.object({ prefix: z.string().trim().min(1, "Give the key prefix.") }),
    async (db, { prefix }) => {
      const key = await revokeApiKeyByPrefix({ actor: CLI_ACTOR, db }, { prefix });
      return { prefix: key.prefix, name: key.name };
    },
  ),
  "collection.ensure": op(
    z.object({ name: collectionNameSchema, create: z.boolean().default(false) }),
    async (db, { name, create }) => {
      const existing = await getCollectionByName(db, { name });
      if (existing) return { id: existing.id, name: existing.name, created: false };
      if (!create)
        throw new AppError("not_found", `No collection named "${name}". Create it in the browser, or add --create.`);
      const { id } = await addCollection({ actor: CLI_ACTOR, db }, { name, description: "" });
      return { id, name, created: true };
    },
  ),
  "ingest.upload": op(
    z.object({
      collectionId: z.uuid(),
      name: z.string().min(1),
      contentBase64: z.string(),
      effectiveFrom: z.string().optional(),
    }),
    async (db, { collectionId, name, contentBase64, effectiveFrom }) => {
      const e = env();
      const outcome = await acceptUpload(
        { actor: CLI_ACTOR, db },
        { dataDir: e.dataDir, maxUploadBytes: e.maxUploadBytes },
        {
          collectionId,
          fileName: name,
          bytes: Buffer.from(contentBase64, "base64"),
          ...(effectiveFrom !== undefined
            ? { effectiveFrom: parseEffectiveDate(effectiveFrom, "--effective-from") }
            : {}),
        },
      );
      if (outcome.status === "queued") wakeWorkers();
      return outcome;
    },
  ),
  "jobs.status": op(z.object({ ids: z.array(z.uuid()).max(10_000) }), async (db, { ids }) =>
    (await listJobsByIds(db, { ids })).map(jobJson),
  ),
  reindex: op(z.object({}), async (db) => {
    const result = await reindexAll(db);
    wakeWorkers();
    return result;
  }),
  "reindex.stage": op(z.object({ embeddingModelPath: z.string().min(1).max(4096).optional() }), (db, input) =>
    stageReindex(db, input),
  ),
  "reindex.evaluate": op(z.object({}), (db) => evaluateStaged(db)),
  "reindex.swap": op(z.object({}), (db) => swapStaged(db)),
  "reindex.discard": op(z.object({}), (db) => discardStaged(db)),
  "audit.verify": op(
    z.object({
      anchor: z.object({ seq: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
    }),
    async (db, { anchor }) => verifyAndRecord({ actor: CLI_ACTOR, db }, { anchor }),
  ),
  "audit.public_key": op(z.object({}), async () => {
    const key = loadSigningKey(env());
    return { algorithm: "Ed25519", publicKeyPem: key.publicKeyPem, fingerprint: key.fingerprint, source: key.source };
  }),
  "retention.run": op(z.object({ days: z.number().int().min(1).max(36_500).optional() }), async (db, { days }) => {
    const retentionDays = days ?? env().RETENTION_DAYS;
    if (!retentionDays)
      throw new AppError("invalid_request", "No retention period: set RETENTION_DAYS or pass --days N.");
    return runRetentionSweep({ actor: CLI_ACTOR, db }, { retentionDays });
  }),
  "hold.add": op(holdSchema, async (db, input) => placeLegalHold({ actor: CLI_ACTOR, db }, input)),
  "hold.list": op(z.object({}), async (db) => listHolds({ actor: CLI_ACTOR, db })),
  "hold.release": op(z.object({ id: z.string().trim().min(1, "Give the hold's id.") }), async (db, { id }) =>
    releaseHold({ actor: CLI_ACTOR, db }, id),
  ),
  "keys.status": op(z.object({}), async (db) =>
    keyStatus(db, { dataDir: env().dataDir, keyFile: env().ENCRYPTION_KEY_FILE }),
  ),
  "keys.rotate": op(z.object({ newKeyFile: z.string().trim().min(1).optional() }), async (db, { newKeyFile }) =>
    rotateKeys({ actor: CLI_ACTOR, db }, { dataDir: env().dataDir, keyFile: env().ENCRYPTION_KEY_FILE, newKeyFile }),
  ),
  "eval.run": op(
    z.object({
      collection: collectionNameSchema,
      cases: z.array(goldenCaseSchema).min(1).max(MAX_CASES).optional(),
      minRecall: z
        .number()
        .min(0, "--min-recall must be between 0 and 1.")
        .max(1, "--min-recall must be between 0 and 1.")
        .optional(),
      source: z.string().max(500).optional(),
    }),
    async (db, { collection, cases, minRecall, source }) => {
      const found = await getCollectionByName(db, { name: collection });
      if (!found) throw new AppError("not_found", `No collection named "${collection}".`);
      const [store, embedder, generator] = await Promise.all([getChunkStore(), getEmbedder(), getGenerator()]);
      return runEvaluation(
        { db, actor: "cli" },
        { store, embedder, generator },
        {
          collectionId: found.id,
          cases,
          minRecall,
          source,
        },
      );
    },
  ),
} as const;

/** A file an operation produces, streamed to the CLI chunk by chunk. */
export interface StreamedFile {
  fileName: string;
  contentType: string;
  chunks: AsyncGenerator<Uint8Array>;
}

/** Operations whose result is a file, streamed (through the server too) rather than one JSON value. */
export const streamOperations = {
  "audit.export": {
    input: z.object({
      format: z.enum(["csv", "jsonl"], { error: () => "--format must be csv or jsonl." }),
      filters: auditFilterSchema,
    }),
    run: async (
      db: Database,
      { format, filters }: { format: "csv" | "jsonl"; filters: z.infer<typeof auditFilterSchema> },
    ): Promise<AuditExport> =>
      startAuditExport({ actor: CLI_ACTOR, db }, { format, filters, key: loadSigningKey(env()) }),
  },
  "backup.create": {
    input: z.object({ keyFile: z.string().trim().min(1, "Give the backup key file.") }),
    run: async (db: Database, { keyFile }: { keyFile: string }): Promise<StreamedFile> => {
      const e = env();
      // Read before streaming starts, so a bad key file is an error answer, not a broken stream.
      const key = readBackupKey(keyFile);
      const sources = {
        db,
        kind: e.DATABASE_URL ? ("postgres" as const) : ("pglite" as const),
        dataDir: e.dataDir,
        lanceUri: e.lanceUri,
        encryptionKeyFile: e.ENCRYPTION_KEY_FILE,
        signingKey: loadSigningKey(e),
      };
      return {
        fileName: "backup.kqa",
        contentType: "application/octet-stream",
        chunks: pullFrom(async (push) => {
          await writeBackup(sources, key, CLI_ACTOR, push);
        }),
      };
    },
  },
} as const;

export async function runStreamOperation(db: Database, name: string, rawInput: unknown): Promise<StreamedFile> {
  if (!Object.hasOwn(streamOperations, name)) throw new AppError("not_found", `Unknown operation "${name}".`);
  const operation = streamOperations[name as keyof typeof streamOperations];
  const parsed = operation.input.safeParse(rawInput);
  if (!parsed.success) {
    throw new AppError(
      "invalid_request",
      parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ` : "") + i.message).join("; "),
    );
  }
  return operation.run(db, parsed.data as never);
}

export type OperationName = keyof typeof operations;

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(operations, name);
}

export async function runOperation(db: Database, name: string, rawInput: unknown): Promise<unknown> {
  if (!isOperationName(name)) throw new AppError("not_found", `Unknown operation "${name}".`);
  const operation = operations[name] as Operation<z.ZodType>;
  const parsed = operation.input.safeParse(rawInput);
  if (!parsed.success) {
    throw new AppError(
      "invalid_request",
      parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ` : "") + i.message).join("; "),
    );
  }
  return operation.run(db, parsed.data);
}
