import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";
import { parseRoleMap, rolesFromClaim } from "./auth/oidc";

describe("configuration", () => {
  it("has embedded defaults", () => {
    const e = parseEnv({});
    expect(e).toMatchObject({ PORT: 3000, SESSION_MAX_AGE_HOURS: 8, LOGIN_MAX_FAILURES: 5 });
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.dataDir).toBe(path.resolve("data"));
  });

  it("names every bad variable", () => {
    expect(() => parseEnv({ PORT: "eighty", DATABASE_URL: "mysql://x", ADMIN_PASSWORD: "short" })).toThrow(
      /PORT: .*\n.*DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL\n.*ADMIN_PASSWORD: must be at least 12 characters/,
    );
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ DATABASE_URL: "", ADMIN_EMAIL: " " }).DATABASE_URL).toBeUndefined();
  });

  it("requires the OIDC settings together", () => {
    expect(() => parseEnv({ OIDC_ISSUER: "https://idp.example" })).toThrow(/must be set together/);
    expect(parseEnv({ OIDC_ISSUER: "https://idp.example", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b" }).OIDC_ISSUER).toBe("https://idp.example");
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
    expect(() => parseEnv({ DATABASE_MIGRATION_URL: "postgres://owner@db/kq" })).toThrow(/DATABASE_MIGRATION_URL only applies together with DATABASE_URL/);
    expect(parseEnv({ DATABASE_URL: "postgres://app@db/kq", DATABASE_MIGRATION_URL: "postgres://owner@db/kq" }).DATABASE_MIGRATION_URL).toBe("postgres://owner@db/kq");
  });
});

describe("OIDC role mapping", () => {
  it("takes role names as they are when no map is given, defaulting to employee", () => {
    expect(rolesFromClaim(["admin", "unknown"], new Map())).toEqual(["admin"]);
    expect(rolesFromClaim("compliance employee", new Map())).toEqual(["compliance", "employee"]);
    expect(rolesFromClaim(undefined, new Map())).toEqual(["employee"]);
  });

  it("maps identity-provider groups to roles", () => {
    const map = parseRoleMap("kq-admins=admin, audit=compliance");
    expect(rolesFromClaim(["audit", "admin"], map)).toEqual(["compliance"]);
    expect(() => parseRoleMap("kq-admins=root")).toThrow(/claimValue=admin\|compliance\|employee/);
  });
});
