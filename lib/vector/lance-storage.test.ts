import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lanceStorageOptions } from "./lance-runtime";

// LanceDB's native client opens its own sockets, out of the egress guard's sight, so this runs it
// inside a network namespace with nothing but loopback (`unshare -n`): with the object store
// settings passed through it talks to the configured endpoint; without them it goes for AWS.

const PROBE = path.join(process.cwd(), "lib", "testing", "lance-s3-probe.ts");

function probe(withSettings: boolean) {
  const inner = `ip link set lo up && exec "${process.execPath}" --conditions=react-server --import tsx "${PROBE}"`;
  const r = spawnSync("unshare", ["-n", "--", "sh", "-c", inner], {
    cwd: process.cwd(),
    encoding: "utf8",
    env: { NODE_ENV: "test", PATH: process.env.PATH ?? "/usr/bin:/bin", PROBE_WITH_SETTINGS: withSettings ? "1" : "0" },
    timeout: 90_000,
  });
  if (r.status !== 0 || !r.stdout)
    throw new Error(
      `The LanceDB probe failed (exit ${r.status}; it needs root for \`unshare -n\`): ${r.stderr.slice(-2000)}`,
    );
  return JSON.parse(r.stdout) as {
    port: number;
    seen: { method: string; url: string; host: string; authorization: string }[];
    tables?: string[];
    error?: string;
  };
}

describe("LanceDB on S3-compatible storage", () => {
  it("maps the object store settings to the names LanceDB's native client reads", () => {
    expect(
      lanceStorageOptions("s3://kq/lance", {
        S3_ENDPOINT: "http://minio.internal:9000",
        AWS_REGION: "eu-central-1",
        AWS_ACCESS_KEY_ID: "AKIA1",
        AWS_SECRET_ACCESS_KEY: "secret",
        S3_FORCE_PATH_STYLE: true,
      }),
    ).toEqual({
      endpoint: "http://minio.internal:9000",
      allow_http: "true",
      region: "eu-central-1",
      aws_access_key_id: "AKIA1",
      aws_secret_access_key: "secret",
      virtual_hosted_style_request: "false",
    });
    const https = { S3_ENDPOINT: "https://s3.internal", S3_FORCE_PATH_STYLE: false } as const;
    expect(
      lanceStorageOptions("s3://kq/lance", {
        ...https,
        AWS_REGION: undefined,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
      }),
    ).toEqual({
      endpoint: "https://s3.internal",
    });
    expect(
      lanceStorageOptions("/srv/kq/lance", {
        ...https,
        AWS_REGION: "x",
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
      }),
    ).toBeUndefined();
  });

  it("talks to the configured endpoint, path-style, signed for the configured region and key", () => {
    const r = probe(true);
    expect(r.error).toBeUndefined();
    expect(r.tables).toEqual([]);
    expect(r.seen.length).toBeGreaterThan(0);
    for (const req of r.seen) {
      expect(req.host).toBe(`127.0.0.1:${r.port}`);
      // Path-style: the bucket is the first path segment, not a subdomain.
      expect(req.url).toMatch(/^\/kq-bucket(\/|\?)/);
      expect(req.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAPROBE0000000000\/\d{8}\/eu-central-1\/s3\//);
    }
  });

  it("without them LanceDB ignores the local endpoint and fails reaching for AWS (what the settings prevent)", () => {
    const r = probe(false);
    expect(r.seen).toEqual([]);
    expect(r.tables).toBeUndefined();
    // Lance asks AWS which region the bucket is in; in the namespace that cannot resolve.
    expect(r.error).toMatch(/Failed to resolve region for bucket 'kq-bucket'/);
  });
});
