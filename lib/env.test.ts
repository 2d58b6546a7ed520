import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";
import { parseRoleMap, rolesFromClaim } from "./auth/oidc";

describe("configuration", () => {
  it("has embedded defaults", () => {
    const e = parseEnv({});
    expect(e).toMatchObject({ PORT: 3000, SESSION_IDLE_MINUTES: 30, SESSION_MAX_HOURS: 12, LOGIN_MAX_FAILURES: 5 });
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.dataDir).toBe(path.resolve("data"));
  });

  it("names every bad variable", () => {
    expect(() => parseEnv({ PORT: "eighty", DATABASE_URL: "mysql://x", ADMIN_PASSWORD: "short" })).toThrow(
      /PORT: .*\n.*DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL\n.*ADMIN_PASSWORD: must be at least 12 characters/,
    );
  });

  it("trusts forwarded hosts only behind a configured proxy", () => {
    expect(parseEnv({}).AUTH_TRUST_HOST).toBe(false);
    expect(parseEnv({ TRUSTED_PROXIES: "1" }).AUTH_TRUST_HOST).toBe(true);
    expect(parseEnv({ TRUSTED_PROXIES: "1", AUTH_TRUST_HOST: "false" }).AUTH_TRUST_HOST).toBe(false);
    expect(() => parseEnv({ AUTH_TRUST_HOST: "true" })).toThrow(/AUTH_TRUST_HOST=true .* Set TRUSTED_PROXIES/);
  });

  it("requires a second factor of admins and compliance by default, of the roles named, or of none", () => {
    expect(parseEnv({}).MFA_REQUIRED_ROLES).toEqual(["admin", "compliance"]);
    expect(parseEnv({ MFA_REQUIRED_ROLES: "" }).MFA_REQUIRED_ROLES).toEqual([]);
    expect(parseEnv({ MFA_REQUIRED_ROLES: " Compliance , admin,admin" }).MFA_REQUIRED_ROLES).toEqual([
      "compliance",
      "admin",
    ]);
    expect(() => parseEnv({ MFA_REQUIRED_ROLES: "admin,nurse" })).toThrow(
      /MFA_REQUIRED_ROLES: names no role "nurse"; the roles are admin, compliance, employee/,
    );
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ DATABASE_URL: "", ADMIN_EMAIL: " " }).DATABASE_URL).toBeUndefined();
  });

  it("has answer-model defaults and names bad model settings", () => {
    const e = parseEnv({ DATA_DIR: "/srv/kq" });
    expect(e).toMatchObject({
      MODEL_CONTEXT_SIZE: 8192,
      MODEL_MAX_TOKENS: 512,
      MODEL_TEMPERATURE: 0.2,
      MODEL_TOP_P: 0.9,
      MODEL_TOP_K: 40,
      MODEL_GPU: "auto",
      modelsDir: path.resolve("/srv/kq/models"),
    });
    expect(e.MODEL_PATH).toBeUndefined();
    // Queue sizes depend on the generator, so unset stays unset here (lib/models/generator-runtime.ts).
    expect(e.MODEL_PARALLEL).toBeUndefined();
    expect(e.MODEL_QUEUE_MAX).toBeUndefined();
    expect(e.MODEL_SEED).toBeUndefined();
    expect(parseEnv({ MODEL_SEED: " " }).MODEL_SEED).toBeUndefined();
    expect(parseEnv({ MODEL_SEED: "0" }).MODEL_SEED).toBe(0);
    expect(parseEnv({ MODELS_DIR: "/opt/models" }).modelsDir).toBe(path.resolve("/opt/models"));
    expect(() =>
      parseEnv({
        MODEL_PARALLEL: "0",
        MODEL_TOP_P: "0",
        MODEL_TEMPERATURE: "3",
        MODEL_SEED: "abc",
        MODEL_GPU: "cuda",
        MODEL_CONTEXT_SIZE: "100",
      }),
    ).toThrow(
      /MODEL_PARALLEL: must be at least 1\n.*MODEL_CONTEXT_SIZE: must be at least 512 tokens\n.*MODEL_TEMPERATURE: must be between 0 and 2\n.*MODEL_TOP_P: must be above 0 and at most 1\n.*MODEL_SEED: must be a number\n.*MODEL_GPU: must be auto or off/,
    );
  });

  it("has parser and OCR limits, and names bad ones", () => {
    expect(parseEnv({})).toMatchObject({
      PARSER_TIMEOUT_SECONDS: 900,
      PARSER_MAX_MEMORY_MB: 2048,
      OCR_PAGE_TIMEOUT_SECONDS: 60,
      OCR_MAX_IMAGE_MEGAPIXELS: 50,
      OCR_CONFIDENCE_THRESHOLD: 60,
    });
    expect(() =>
      parseEnv({
        PARSER_TIMEOUT_SECONDS: "0",
        PARSER_MAX_MEMORY_MB: "64",
        OCR_PAGE_TIMEOUT_SECONDS: "soon",
        OCR_CONFIDENCE_THRESHOLD: "150",
      }),
    ).toThrow(
      /PARSER_TIMEOUT_SECONDS: must be above 0\n.*PARSER_MAX_MEMORY_MB: must be at least 128 MB\n.*OCR_PAGE_TIMEOUT_SECONDS: must be a number\n.*OCR_CONFIDENCE_THRESHOLD: must be between 0 and 100/,
    );
  });

  it("refuses a guessable metrics token and treats an empty one as metrics off", () => {
    expect(() => parseEnv({ METRICS_TOKEN: "prometheus" })).toThrow(/METRICS_TOKEN: must be at least 16 characters/);
    expect(parseEnv({ METRICS_TOKEN: "" }).METRICS_TOKEN).toBeUndefined();
  });

  it("requires the OIDC settings together", () => {
    expect(() => parseEnv({ OIDC_ISSUER: "https://idp.example" })).toThrow(/must be set together/);
    expect(
      parseEnv({ OIDC_ISSUER: "https://idp.example", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b" }).OIDC_ISSUER,
    ).toBe("https://idp.example");
  });
});

describe("privacy settings", () => {
  it("compiles site MRN patterns and names a bad one", () => {
    const e = parseEnv({ PII_MRN_PATTERNS: '["\\\\bH(\\\\d{7})\\\\b"]' });
    expect(e.PII_MRN_PATTERNS?.[0]?.test("wristband H0345678")).toBe(true);
    expect(() => parseEnv({ PII_MRN_PATTERNS: '["(unclosed"]' })).toThrow(
      /PII_MRN_PATTERNS: pattern "\(unclosed" is not a valid regular expression/,
    );
    expect(() => parseEnv({ PII_MRN_PATTERNS: "H\\d+" })).toThrow(/PII_MRN_PATTERNS: must be a JSON array/);
    expect(() => parseEnv({ PII_MRN_PATTERNS: '["x*"]' })).toThrow(
      /PII_MRN_PATTERNS: pattern "x\*" matches empty text/,
    );
  });

  it("masks the identifiers in stored questions and answers injection attempts by default, and names bad question settings", () => {
    const e = parseEnv({});
    expect(e.QUESTION_PII_POLICY).toBe("mask");
    expect(e.QUESTION_PII_TYPES).toBeUndefined();
    expect(e.QUESTION_INJECTION_POLICY).toBe("answer");
    expect(
      parseEnv({
        QUESTION_PII_TYPES: " email, SSN ",
        QUESTION_PII_POLICY: "keep",
        QUESTION_INJECTION_POLICY: "refuse",
      }),
    ).toMatchObject({
      QUESTION_PII_TYPES: ["ssn", "email"],
      QUESTION_PII_POLICY: "keep",
      QUESTION_INJECTION_POLICY: "refuse",
    });
    expect(() =>
      parseEnv({
        QUESTION_PII_POLICY: "drop",
        QUESTION_PII_TYPES: "ssn, passport",
        QUESTION_INJECTION_POLICY: "block",
      }),
    ).toThrow(
      /QUESTION_PII_POLICY: must be mask or keep\n.*QUESTION_PII_TYPES: unknown kind passport; use any of ssn, .*\n.*QUESTION_INJECTION_POLICY: must be answer or refuse/,
    );
    expect(() => parseEnv({ QUESTION_PII_TYPES: " , " })).toThrow(/QUESTION_PII_TYPES: must name at least one kind/);
  });

  it("takes a phone region the phone library knows", () => {
    expect(parseEnv({}).PII_PHONE_REGION).toBe("US");
    expect(parseEnv({ PII_PHONE_REGION: "gb" }).PII_PHONE_REGION).toBe("GB");
    expect(() => parseEnv({ PII_PHONE_REGION: "XX" })).toThrow(/PII_PHONE_REGION: must be a two-letter country code/);
  });
});

describe("audit configuration", () => {
  it("keeps conversations by default and validates the retention period", () => {
    expect(parseEnv({}).RETENTION_DAYS).toBeUndefined();
    expect(parseEnv({ RETENTION_DAYS: "365" }).RETENTION_DAYS).toBe(365);
    expect(() => parseEnv({ RETENTION_DAYS: "a year" })).toThrow(/RETENTION_DAYS: /);
    expect(() => parseEnv({ RETENTION_DAYS: "0" })).toThrow(/RETENTION_DAYS: /);
    expect(() => parseEnv({ RETENTION_DAYS: "1.5" })).toThrow(/RETENTION_DAYS: must be a whole number of days/);
  });

  it("takes a migration URL only together with DATABASE_URL", () => {
    expect(() => parseEnv({ DATABASE_MIGRATION_URL: "postgres://owner@db/kq" })).toThrow(
      /DATABASE_MIGRATION_URL only applies together with DATABASE_URL/,
    );
    expect(
      parseEnv({ DATABASE_URL: "postgres://app@db/kq", DATABASE_MIGRATION_URL: "postgres://owner@db/kq" })
        .DATABASE_MIGRATION_URL,
    ).toBe("postgres://owner@db/kq");
  });

  it("takes a model server, or a model file, not both, and names a bad hash", () => {
    const e = parseEnv({
      MODEL_SERVER_URL: "http://gpu-01.internal:8081/v1",
      MODEL_SERVER_SHA256: "AB".repeat(32),
    });
    expect(e.MODEL_SERVER_URL).toBe("http://gpu-01.internal:8081/v1");
    expect(e.MODEL_SERVER_SHA256).toBe("ab".repeat(32));
    expect(e.MODEL_SERVER_TIMEOUT_SECONDS).toBe(120);
    expect(() => parseEnv({ MODEL_SERVER_URL: "gpu-01:8081" })).toThrow(/MODEL_SERVER_URL: /);
    expect(() => parseEnv({ MODEL_SERVER_URL: "ftp://gpu-01/v1" })).toThrow(/MODEL_SERVER_URL: must be an http/);
    expect(() => parseEnv({ MODEL_SERVER_SHA256: "abc" })).toThrow(/MODEL_SERVER_SHA256: must be the 64 hexadecimal/);
    expect(() => parseEnv({ MODEL_SERVER_URL: "http://gpu-01/v1", MODEL_PATH: "/models/a.gguf" })).toThrow(
      /MODEL_PATH .* and MODEL_SERVER_URL .* exclude each other/,
    );
  });

  it("takes the object store's keys together", () => {
    expect(() => parseEnv({ AWS_ACCESS_KEY_ID: "AKIA0000" })).toThrow(
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together/,
    );
    expect(parseEnv({ S3_FORCE_PATH_STYLE: "true" }).S3_FORCE_PATH_STYLE).toBe(true);
    expect(() => parseEnv({ S3_ENDPOINT: "minio:9000" })).toThrow(/S3_ENDPOINT: must be an http/);
  });

  it("takes FILES_URI as s3://bucket/prefix, only with the shared ENCRYPTION_KEY_FILE", () => {
    const keyed = { ENCRYPTION_KEY_FILE: "/etc/kq/kek" };
    expect(parseEnv({ ...keyed, FILES_URI: "s3://kq-files/site-a" }).FILES_URI).toBe("s3://kq-files/site-a");
    expect(parseEnv({}).FILES_URI).toBeUndefined();
    expect(() => parseEnv({ ...keyed, FILES_URI: "/srv/files" })).toThrow(/FILES_URI: must be s3:\/\/bucket\/prefix/);
    expect(() => parseEnv({ ...keyed, FILES_URI: "s3://Upper_Case/x" })).toThrow(/FILES_URI: must be s3:/);
    expect(() => parseEnv({ FILES_URI: "s3://kq-files/site-a" })).toThrow(
      /FILES_URI keeps originals where every node reads them.*set ENCRYPTION_KEY_FILE/,
    );
  });
});

describe("OIDC role mapping", () => {
  it("grants no role from claims without a map: everyone is an employee", () => {
    // Without OIDC_ROLE_MAP, no claim grants a role: a claim that says "admin" is not obeyed.
    expect(rolesFromClaim(["admin", "unknown"], new Map())).toEqual(["employee"]);
    expect(rolesFromClaim("compliance employee", new Map())).toEqual(["employee"]);
    expect(rolesFromClaim(undefined, new Map())).toEqual(["employee"]);
  });

  it("maps identity-provider groups to roles", () => {
    const map = parseRoleMap("kq-admins=admin, audit=compliance");
    expect(rolesFromClaim(["audit", "admin"], map)).toEqual(["compliance"]);
    expect(() => parseRoleMap("kq-admins=root")).toThrow(/claimValue=admin\|compliance\|employee/);
  });
});
