import "server-only";
import path from "node:path";
import { isSupportedCountry } from "libphonenumber-js/max";
import { z } from "zod";
import { boolish, mrnPatternsSchema, optionalText, piiTypeListSchema, roleListSchema } from "@/lib/env-values";
import {
  DEFAULT_QUESTION_POLICY,
  QUESTION_INJECTION_POLICIES,
  QUESTION_PII_POLICIES,
} from "@/lib/privacy/question-policy";

// The only module that reads process.env. Parsed lazily so that `next build` does not need a
// runtime configuration, and validated as a whole so a bad value fails start-up with its name.

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATA_DIR: z.string().trim().min(1).default("./data"),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  // Migrations as the schema owner, serving as a role that may not alter the audit trail.
  DATABASE_MIGRATION_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  AUTH_SECRET: optionalText.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  // The public origin, when it differs from the listening address; an https one switches on HSTS.
  AUTH_URL: optionalText.pipe(z.url("must be a URL such as https://qa.example.org").optional()),
  // Believe X-Forwarded-Host/-Proto; only with TRUSTED_PROXIES set (any client could send them otherwise).
  AUTH_TRUST_HOST: boolish.optional(),
  // Reverse proxies in front of the server; 0 means clients connect directly and X-Forwarded-* are ignored.
  TRUSTED_PROXIES: z.coerce.number("must be a number").int("must be a whole number").min(0).max(10).default(0),
  // Automatic logoff: a browser session with no request for this many minutes ends.
  SESSION_IDLE_MINUTES: z.coerce
    .number("must be a number")
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(24 * 60)
    .default(30),
  // The longest a browser session lasts however active it is, in hours.
  SESSION_MAX_HOURS: z.coerce
    .number("must be a number")
    .positive("must be above 0")
    .max(24 * 30)
    .default(12),
  // Failed sign-ins before delays start: per account and address, per account, per address.
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_ACCOUNT_MAX_FAILURES: z.coerce.number().int().min(1).max(10_000).default(20),
  LOGIN_ADDRESS_MAX_FAILURES: z.coerce.number().int().min(1).max(100_000).default(50),
  // The longest delay a failing sign-in waits; delays double from one second up to it.
  LOGIN_MAX_DELAY_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(15),
  // Failed sign-ins are audited as one event per account and window of this many minutes.
  LOGIN_FAILURE_AUDIT_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  // Requests per minute to chat and /v1: per user (browser and keys together), and per API key.
  USER_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  API_KEY_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  // The longest life of an API key, in days; a key created without an expiry gets this one.
  API_KEY_MAX_DAYS: z.coerce.number("must be a number").int("must be a whole number").min(1).max(3650).default(365),
  // Local accounts holding any of these roles must set up a second factor (TOTP) at their next sign-in.
  MFA_REQUIRED_ROLES: roleListSchema.default(["admin", "compliance"]),
  ADMIN_EMAIL: optionalText.pipe(z.email("must be an email address").optional()),
  ADMIN_PASSWORD: optionalText.pipe(z.string().min(12, "must be at least 12 characters").optional()),
  ADMIN_NAME: z.string().trim().min(1).default("Administrator"),
  OIDC_ISSUER: optionalText.pipe(z.url("must be a URL").optional()),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_DISPLAY_NAME: z.string().trim().min(1).default("Single sign-on"),
  OIDC_ROLES_CLAIM: z.string().trim().min(1).default("roles"),
  OIDC_ROLE_MAP: optionalText,
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  MAX_UPLOAD_MB: z.coerce.number().positive().max(10_240).default(50),
  MAX_DECOMPRESSED_MB: z.coerce.number().positive().max(102_400).default(200),
  INGEST_CONCURRENCY: z.coerce.number().int().min(0).max(32).default(1),
  // Every document is parsed in a separate process with these limits (ingest/sandbox).
  PARSER_TIMEOUT_SECONDS: z.coerce
    .number("must be a number")
    .positive("must be above 0")
    .max(24 * 60 * 60)
    .default(900),
  PARSER_MAX_MEMORY_MB: z.coerce
    .number("must be a number")
    .int("must be a whole number")
    .min(128, "must be at least 128 MB")
    .max(65_536)
    .default(2048),
  OCR_PAGE_TIMEOUT_SECONDS: z.coerce
    .number("must be a number")
    .positive("must be above 0")
    .max(60 * 60)
    .default(60),
  OCR_MAX_IMAGE_MEGAPIXELS: z.coerce.number("must be a number").positive("must be above 0").max(1000).default(50),
  OCR_CONFIDENCE_THRESHOLD: z.coerce
    .number("must be a number")
    .min(0, "must be between 0 and 100")
    .max(100, "must be between 0 and 100")
    .default(60),
  LANCEDB_URI: optionalText,
  // The least time between two runs of index upkeep across the cluster (ingestion asks for it).
  INDEX_UPKEEP_INTERVAL_SECONDS: z.coerce
    .number("must be a number")
    .min(0, "must be 0 or more")
    .max(24 * 60 * 60)
    .default(10),
  // Who serialises commits to a LanceDB table on object storage: PostgreSQL (an advisory lock, safe on
  // any S3 store) or the store's own conditional writes (AWS S3, current MinIO). docs/adr/0020.
  LANCEDB_COMMIT_LOCK: z.enum(["database", "store"], "must be database or store").default("database"),
  // Originals in an S3-compatible bucket shared by every node; unset keeps them in DATA_DIR/files.
  FILES_URI: optionalText.pipe(
    z
      .string()
      .regex(
        /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/,
        "must be s3://bucket/prefix (a lower-case bucket name; unset keeps originals in DATA_DIR/files)",
      )
      .optional(),
  ),
  EMBEDDING_MODEL_PATH: optionalText,
  EMBEDDING_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  // A GGUF cross-encoder that reorders the passages retrieval kept (docs/adr/0029); unset: no reranking.
  RERANKER_MODEL_PATH: optionalText,
  MODEL_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  MODEL_PATH: optionalText,
  MODELS_DIR: optionalText,
  MODEL_PARALLEL: z.coerce
    .number("must be a number")
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(64)
    .optional(),
  MODEL_QUEUE_MAX: z.coerce
    .number("must be a number")
    .int("must be a whole number")
    .min(0, "must be 0 or more")
    .max(10_000)
    .optional(),
  MODEL_CONTEXT_SIZE: z.coerce
    .number("must be a number")
    .int("must be a whole number")
    .min(512, "must be at least 512 tokens")
    .max(1_048_576)
    .default(8192),
  MODEL_MAX_TOKENS: z.coerce
    .number("must be a number")
    .int("must be a whole number")
    .min(16, "must be at least 16 tokens")
    .max(131_072)
    .default(512),
  MODEL_TEMPERATURE: z.coerce
    .number("must be a number")
    .min(0, "must be between 0 and 2")
    .max(2, "must be between 0 and 2")
    .default(0.2),
  MODEL_TOP_P: z.coerce
    .number("must be a number")
    .gt(0, "must be above 0 and at most 1")
    .max(1, "must be above 0 and at most 1")
    .default(0.9),
  MODEL_TOP_K: z.coerce
    .number("must be a number")
    .int("must be a whole number")
    .min(0, "must be 0 (off) or more")
    .max(100_000)
    .default(40),
  // Empty means unset (a random seed per answer), not 0.
  MODEL_SEED: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce
      .number("must be a number")
      .int("must be a whole number")
      .min(0, "must be 0 or more")
      .max(2 ** 32 - 1, "must fit in 32 bits")
      .optional(),
  ),
  MODEL_GPU: z.enum(["auto", "off"], "must be auto or off").default("auto"),
  // Generation on an OpenAI-compatible server inside the perimeter (the `openai` generator).
  MODEL_SERVER_URL: optionalText.pipe(
    z
      .url("must be a URL")
      .regex(/^https?:\/\//, "must be an http:// or https:// URL (the server's /v1 base)")
      .optional(),
  ),
  MODEL_SERVER_MODEL: optionalText,
  MODEL_SERVER_API_KEY_FILE: optionalText,
  MODEL_SERVER_SHA256: optionalText.pipe(
    z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "must be the 64 hexadecimal digits of the weights' SHA-256")
      .transform((v) => v.toLowerCase())
      .optional(),
  ),
  MODEL_SERVER_TIMEOUT_SECONDS: z.coerce.number("must be a number").positive("must be above 0").max(3600).default(120),
  // Hosts (or host:port) the egress guard lets through besides those the configuration names.
  EGRESS_ALLOW: optionalText,
  // S3-compatible object storage for FILES_URI and LANCEDB_URI=s3://… (passed to LanceDB's native client too).
  S3_ENDPOINT: optionalText.pipe(
    z
      .url("must be a URL")
      .regex(/^https?:\/\//, "must be an http:// or https:// URL")
      .optional(),
  ),
  AWS_REGION: optionalText,
  AWS_ACCESS_KEY_ID: optionalText,
  AWS_SECRET_ACCESS_KEY: optionalText,
  S3_FORCE_PATH_STYLE: boolish.default(false),
  PII_MRN_PATTERNS: optionalText.pipe(mrnPatternsSchema.optional()),
  PII_PHONE_REGION: z
    .string()
    .trim()
    .toUpperCase()
    .refine((v) => isSupportedCountry(v), "must be a two-letter country code such as US or GB")
    .default("US"),
  // Questions: what the stored question keeps, and whether one with injection findings is answered.
  QUESTION_PII_POLICY: z.enum(QUESTION_PII_POLICIES, "must be mask or keep").default(DEFAULT_QUESTION_POLICY.pii),
  QUESTION_PII_TYPES: optionalText.pipe(piiTypeListSchema.optional()),
  QUESTION_INJECTION_POLICY: z
    .enum(QUESTION_INJECTION_POLICIES, "must be answer or refuse")
    .default(DEFAULT_QUESTION_POLICY.injection),
  // Bearer token Prometheus sends to GET /api/metrics; unset switches the endpoint off.
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  AUDIT_SIGNING_KEY: optionalText,
  // 64 hex characters wrapping every original's data key; unset: a key kept in DATA_DIR/secrets.
  ENCRYPTION_KEY_FILE: optionalText,
  RETENTION_DAYS: optionalText.pipe(
    z.coerce.number<string | undefined>().int("must be a whole number of days").min(1).max(36_500).optional(),
  ),
  RETENTION_SWEEP_MINUTES: z.coerce
    .number()
    .positive()
    .max(7 * 24 * 60)
    .default(60),
});

export type Env = Omit<z.infer<typeof schema>, "AUTH_TRUST_HOST"> & {
  AUTH_TRUST_HOST: boolean;
  dataDir: string;
  lanceUri: string;
  maxUploadBytes: number;
  maxDecompressedBytes: number;
  /** Where the first *.gguf is taken from when MODEL_PATH is unset. */
  modelsDir: string;
};

let cached: Env | undefined;

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid configuration in environment variables:\n${lines.join("\n")}`);
  }
  const e = result.data;
  const oidcKeys = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET];
  const oidcSet = oidcKeys.filter(Boolean).length;
  if (e.DATABASE_MIGRATION_URL && !e.DATABASE_URL) {
    throw new EnvError("Invalid configuration: DATABASE_MIGRATION_URL only applies together with DATABASE_URL.");
  }
  if (oidcSet > 0 && oidcSet < 3) {
    throw new EnvError(
      "Invalid configuration: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together to enable single sign-on.",
    );
  }
  if (e.MODEL_SERVER_URL && e.MODEL_PATH) {
    throw new EnvError(
      "Invalid configuration: MODEL_PATH (a model in this process) and MODEL_SERVER_URL (a model server) exclude each other; set one.",
    );
  }
  if (Boolean(e.AWS_ACCESS_KEY_ID) !== Boolean(e.AWS_SECRET_ACCESS_KEY)) {
    throw new EnvError("Invalid configuration: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together.");
  }
  if (e.FILES_URI && !e.ENCRYPTION_KEY_FILE) {
    throw new EnvError(
      "Invalid configuration: FILES_URI keeps originals where every node reads them, so every node needs the same key-encryption key: set ENCRYPTION_KEY_FILE (a key created in one machine's DATA_DIR cannot open them elsewhere).",
    );
  }
  if (e.AUTH_TRUST_HOST && e.TRUSTED_PROXIES === 0) {
    throw new EnvError(
      "Invalid configuration: AUTH_TRUST_HOST=true believes X-Forwarded-Host, which any client can send when no proxy sets it. Set TRUSTED_PROXIES to the number of reverse proxies in front of the server, or leave AUTH_TRUST_HOST unset.",
    );
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    ...e,
    AUTH_TRUST_HOST: e.AUTH_TRUST_HOST ?? e.TRUSTED_PROXIES > 0,
    dataDir,
    // A directory here, or an object-store URI (s3://…) that LanceDB understands.
    lanceUri: e.LANCEDB_URI ?? path.join(dataDir, "lance"),
    modelsDir: e.MODELS_DIR ? path.resolve(e.MODELS_DIR) : path.join(dataDir, "models"),
    maxUploadBytes: Math.round(e.MAX_UPLOAD_MB * 1024 * 1024),
    maxDecompressedBytes: Math.round(e.MAX_DECOMPRESSED_MB * 1024 * 1024),
  };
}

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests that change configuration between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}
