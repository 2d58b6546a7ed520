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

  it("refuses a guessable metrics token and treats an empty one as metrics off", () => {
    expect(() => parseEnv({ METRICS_TOKEN: "prometheus" })).toThrow(/METRICS_TOKEN: must be at least 16 characters/);
    expect(parseEnv({ METRICS_TOKEN: "" }).METRICS_TOKEN).toBeUndefined();
  });

  it("requires the OIDC settings together", () => {
    expect(() => parseEnv({ OIDC_ISSUER: "https://idp.example" })).toThrow(/must be set together/);
    expect(parseEnv({ OIDC_ISSUER: "https://idp.example", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b" }).OIDC_ISSUER).toBe("https://idp.example");
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
