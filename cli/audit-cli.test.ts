import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "@/db/client";
import { forge } from "@/lib/audit/testing/forge";
import { cliSandbox } from "@/lib/testing/cli";

// The audit commands as an operator runs them, in a child process: against Postgres when
// TEST_DATABASE_URL is set, else an embedded database no server holds.

const sandbox = cliSandbox({
  prefix: "kq-audit-cli-",
  env: { AUDIT_SIGNING_KEY: "", RETENTION_DAYS: "" },
  timeoutMs: 120_000,
});
const { cli } = sandbox;

/** Alters a row as a superuser with the guard triggers switched off. */
async function tamper(statement: ReturnType<typeof sql>) {
  const handle = sandbox.pgHandle ?? (await openDatabase({ dataDir: sandbox.dataDir, owner: "cli" }));
  try {
    if (!sandbox.pgHandle) await migrateDatabase(handle);
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(statement);
    });
  } finally {
    if (!sandbox.pgHandle) await handle.close();
  }
}

describe("audit commands", () => {
  it("verifies, exports, and checks an export offline against a key it trusts, never the file's own", async () => {
    expect(
      cli(
        ["user", "add", "--email", "carla@example.org", "--name", "Carla", "--role", "compliance", "--password-stdin"],
        "compliance password",
      ).code,
    ).toBe(0);
    expect(cli(["hold", "add", "--user", "carla@example.org", "--reason", "Case 2026-4"]).stdout).toMatch(
      /^Placed legal hold [0-9a-f-]{36} on carla@example.org\./,
    );

    const ok = cli(["audit", "verify"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Events checked: 2\n/);
    expect(ok.stdout).toMatch(/The chain is intact\./);

    const file = path.join(sandbox.dataDir, "trail.jsonl");
    const exp = cli(["audit", "export", "--format", "jsonl", "--type", "user", "--type", "retention", "--out", file]);
    expect(exp.stderr).toBe("");
    expect(exp.stdout).toMatch(/ 2 events, 1–2, filtered\), signed by sha256:[0-9a-f]{64}\./);
    // Not overwritten.
    expect(cli(["audit", "export", "--format", "jsonl", "--out", file]).stderr).toMatch(/already exists/);

    const pem = path.join(sandbox.dataDir, "key.pem");
    const pk = cli(["audit", "public-key"]);
    fs.writeFileSync(pem, pk.stdout);
    const fingerprint = /Fingerprint: (sha256:[0-9a-f]{64})/.exec(pk.stdout)![1]!;
    const check = cli(["audit", "verify-export", file, "--public-key", pem]);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^VALID: /);
    expect(check.stdout).toContain(`Trusted key: ${fingerprint}, given with --public-key ${pem}.`);
    expect(check.stdout).toContain("Signed by: the trusted key");
    expect(check.stdout).toMatch(/Scope: filtered\. .*cannot be proven from the file alone/);

    // On the machine holding the installation's data, its own key is trusted without --public-key.
    const own = cli(["audit", "verify-export", file]);
    expect(own.code).toBe(0);
    expect(own.stdout).toContain(
      `Trusted key: ${fingerprint}, this installation's signing key (${path.join(sandbox.dataDir, "secrets", "audit-signing-key.pem")}), as no --public-key was given.`,
    );

    // Elsewhere the signer is unknown: exit 2, and how to pass the key.
    const elsewhere = fs.mkdtempSync(path.join(sandbox.dataDir, "elsewhere-"));
    const unknown = cli(["audit", "verify-export", file], "", { DATA_DIR: elsewhere });
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toMatch(/^SIGNER UNKNOWN: /);
    expect(unknown.stdout).toContain("Pass --public-key FILE");
    expect(fs.existsSync(path.join(elsewhere, "secrets"))).toBe(false);

    const altered = path.join(sandbox.dataDir, "altered.jsonl");
    fs.writeFileSync(altered, fs.readFileSync(file, "utf8").replace("Case 2026-4", "Case 2026-5"));
    const bad = cli(["audit", "verify-export", altered]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^INVALID: /);
    expect(bad.stdout).toMatch(/does not match the digest in its manifest/);
  }, 300_000);

  it("calls the issue's forgery INVALID, refuses bad export options, and names a row altered behind the triggers", async () => {
    const elsewhere = fs.mkdtempSync(path.join(sandbox.dataDir, "elsewhere-"));

    // The forgery from issue 13: an event deleted from the middle of a whole-trail export, the
    // digest recomputed, the manifest re-signed with a fresh key placed in the file.
    const whole = path.join(sandbox.dataDir, "whole.jsonl");
    expect(cli(["audit", "export", "--format", "jsonl", "--out", whole]).stdout).toMatch(/the whole trail\)/);
    // The JSON the server publishes (GET /api/audit/public-key, audit public-key --json) works as well.
    const published = path.join(sandbox.dataDir, "published.json");
    fs.writeFileSync(published, cli(["audit", "public-key", "--json"]).stdout);
    expect(cli(["audit", "verify-export", whole, "--public-key", published]).code).toBe(0);

    const forged = path.join(sandbox.dataDir, "forged.jsonl");
    fs.writeFileSync(
      forged,
      forge(fs.readFileSync(whole, "utf8"), (lines) => lines.filter((l) => !(l.kind === "event" && l.seq === 2))),
    );
    const caught = cli(["audit", "verify-export", forged]);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toMatch(/^INVALID: /);
    expect(caught.stdout).toContain("  - The whole-trail export is missing events 2.");
    expect(caught.stdout).toMatch(/Signed by: NOT the trusted key \(the file names sha256:[0-9a-f]{64}\)/);
    const caughtElsewhere = cli(["audit", "verify-export", forged], "", { DATA_DIR: elsewhere });
    expect(caughtElsewhere.code).toBe(1);
    expect(caughtElsewhere.stdout).toMatch(/^INVALID: /);

    expect(cli(["audit", "export", "--format", "xml", "--out", path.join(sandbox.dataDir, "x")]).stderr.trim()).toBe(
      "error: format: --format must be csv or jsonl.",
    );
    expect(
      cli(["audit", "export", "--format", "csv", "--from", "soon", "--out", path.join(sandbox.dataDir, "y")]).stderr,
    ).toMatch(/from must be a date/);
    expect(fs.existsSync(path.join(sandbox.dataDir, "y.partial"))).toBe(false);

    await tamper(sql`update audit_events set actor_email = 'someone-else@example.org' where seq = 2`);
    const broken = cli(["audit", "verify"]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at event 2: the event's contents do not match its hash/);
  }, 300_000);

  it("runs retention on demand and releases holds", () => {
    const none = cli(["retention", "run"]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe("error: No retention period: set RETENTION_DAYS or pass --days N.");
    expect(cli(["retention", "run", "--days", "30"]).stdout).toMatch(
      /^Redacted 0 message\(s\) and 0 audit record\(s\) older than /,
    );
    const list = cli(["hold", "list"]);
    const id = /([0-9a-f-]{36})\s+carla@example.org/.exec(list.stdout)?.[1];
    expect(id).toBeDefined();
    expect(cli(["hold", "release", "--id", id!]).stdout.trim()).toBe(`Released legal hold ${id}.`);
    expect(cli(["hold", "release", "--id", id!]).stderr.trim()).toBe("error: No active legal hold with this id.");
  }, 300_000);
});
