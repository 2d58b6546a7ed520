import { describe, expect, it } from "vitest";
import { listUsers } from "@/db/queries/users";
import { cliSandbox } from "@/lib/testing/cli";

// The CLI as an operator runs it: a real child process, with its exit code and output. Against
// the Postgres server when TEST_DATABASE_URL is set, else an embedded database no server holds.

const sandbox = cliSandbox({ prefix: "kq-cli-" });
const { cli } = sandbox;

describe("cli", () => {
  it("adds users with several roles, reading the password from stdin", () => {
    const r = cli(
      [
        "user",
        "add",
        "--email",
        "Ops@Example.org",
        "--name",
        "Ops",
        "--role",
        "admin",
        "--role",
        "compliance",
        "--password-stdin",
      ],
      "operator password\n",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("Created ops@example.org with roles: admin, compliance");
  });

  it("refuses bad input with a clear message and a non-zero exit, changing nothing", async () => {
    const noStdin = cli(["user", "add", "--email", "x@example.org", "--name", "X"]);
    expect(noStdin.code).toBe(1);
    expect(noStdin.stderr).toMatch(/Pass --password-stdin/);
    const dup = cli(
      ["user", "add", "--email", "ops@example.org", "--name", "Again", "--password-stdin"],
      "another password",
    );
    expect(dup.code).toBe(1);
    expect(dup.stderr.trim()).toBe("error: A user with the email ops@example.org already exists.");
    const badRole = cli(
      ["user", "add", "--email", "y@example.org", "--name", "Y", "--role", "root", "--password-stdin"],
      "long enough pass",
    );
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toMatch(/roles\.0: Role must be one of: admin, compliance, employee\./);
    const missingOption = cli(["user", "disable"]);
    expect(missingOption.code).not.toBe(0);
    expect(missingOption.stderr).toMatch(/required option '--email <email>' not specified/);
    const unknown = cli(["user", "disable", "--email", "ghost@example.org"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe("error: No user with the email ghost@example.org.");

    const list = cli(["user", "list", "--json"]);
    expect(list.code).toBe(0);
    const users = JSON.parse(list.stdout) as { email: string; name: string }[];
    expect(users.map((u) => u.email)).toEqual(["ops@example.org"]);
    expect(users[0]!.name).toBe("Ops");
    expect(list.stdout).not.toMatch(/argon2|password/i);
  });

  it("creates an API key printed alone on the last line, and revokes it by prefix", async () => {
    const created = cli(["apikey", "create", "--email", "ops@example.org"]);
    expect(created.code).toBe(0);
    const lines = created.stdout.trimEnd().split("\n");
    const key = lines[lines.length - 1]!;
    expect(key).toMatch(/^kq_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    const prefix = key.split("_")[1]!;
    expect(cli(["apikey", "revoke", "--prefix", prefix]).stdout.trim()).toBe(`Revoked API key ${prefix}`);
    const again = cli(["apikey", "revoke", "--prefix", prefix]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`error: The API key ${prefix} is already revoked.`);
  });

  it("creates a key that expires and is scoped as asked, and refuses a lifetime past the maximum", () => {
    const created = cli(["apikey", "create", "--email", "ops@example.org", "--expires-in", "30d", "--scopes", "chat"]);
    expect(created.stderr).toBe("");
    const expires = /expires (\S+)\)/.exec(created.stdout)?.[1];
    expect(created.stdout).toMatch(/\(scopes chat; expires /);
    const days = (new Date(expires!).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const tooLong = cli(["apikey", "create", "--email", "ops@example.org", "--expires-in", "5000d"]);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/at most 365 days on this server \(API_KEY_MAX_DAYS\)/);
  });

  it("resets a user's two-step sign-in only where there is one, with the reason when not", () => {
    const none = cli(["user", "reset-mfa", "--email", "ops@example.org"]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe("error: ops@example.org has no two-step sign-in to reset.");
    const ghost = cli(["user", "reset-mfa", "--email", "ghost@example.org"]);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr.trim()).toBe("error: No user with the email ghost@example.org.");
  });

  it("disables a user and lists them as disabled", async () => {
    const add = cli(
      ["user", "add", "--email", "temp@example.org", "--name", "Temp", "--password-stdin"],
      "temporary password",
    );
    expect(add.stdout.trim()).toBe("Created temp@example.org with roles: employee");
    expect(cli(["user", "disable", "--email", "temp@example.org"]).code).toBe(0);
    const table = cli(["user", "list"]).stdout;
    expect(table).toMatch(/^temp@example\.org\s+Temp\s+employee\s+disabled\s+never$/m);
    if (sandbox.pgHandle) {
      // What the CLI wrote is what the server reads.
      expect((await listUsers(sandbox.pgHandle.db)).find((u) => u.email === "temp@example.org")?.disabled).toBe(true);
    }
  });
});
