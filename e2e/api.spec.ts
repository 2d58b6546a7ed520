import { expect, test } from "@playwright/test";
import { call } from "./support/api";
import { cli, createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";

// The admin API, as an automation client sees it: API keys made with the CLI while the server
// runs (so the CLI's channel into the embedded database is exercised too), JSON errors, 403s
// for non-admins, and no secret material in any response.

// Each CLI run compiles the CLI and opens the server's control socket: up to 20 s on a loaded
// two-core machine, and one test below makes three.
test.describe.configure({ mode: "serial", timeout: 120_000 });

let adminKey: string;
let employeeKey: string;
let employeeId: string;
let employeeEmail: string;
let groupId: string;

function errorOf(json: unknown) {
  return (json as { error: { code: string; message: string } }).error;
}

test.beforeAll(() => {
  adminKey = createApiKey(e2e.adminEmail);
});

test("health answers without authentication", async ({ request }) => {
  const { res, json } = await call(request, "GET", "/api/health");
  expect(res.status()).toBe(200);
  expect(json).toMatchObject({
    status: "ok",
    version: expect.any(String),
    database: { reachable: true, kind: "pglite" },
  });
});

test("unauthenticated and unknown requests get JSON errors, never HTML or a stack", async ({ request }) => {
  const me = await call(request, "GET", "/api/me");
  expect(me.res.status()).toBe(401);
  expect(errorOf(me.json).code).toBe("unauthorized");
  const unknown = await call(request, "GET", "/api/no-such-thing", { key: adminKey });
  expect(unknown.res.status()).toBe(404);
  expect(errorOf(unknown.json)).toEqual({ code: "not_found", message: "No such API endpoint." });
  const badKey = await call(request, "GET", "/api/me", {
    key: "kq_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  });
  expect(badKey.res.status()).toBe(401);
  expect(errorOf(badKey.json).message).toBe("Invalid or revoked API key.");
  // The CLI's channel is a Unix socket in DATA_DIR/run (lib/server/control.ts); over HTTP it does not exist.
  for (const headers of [{}, { "x-control-token": "guess" }] as Record<string, string>[]) {
    const control = await call(request, "POST", "/api/internal/cli", {
      data: { operation: "user.add", input: { email: "intruder@e2e.example", name: "X", roles: ["admin"] } },
      headers,
    });
    expect(control.res.status()).toBe(404);
    expect(errorOf(control.json)).toEqual({ code: "not_found", message: "No such API endpoint." });
  }
});

test("an admin provisions a user and a group over the API", async ({ request }) => {
  employeeEmail = uniqueEmail("api-employee");
  const created = await call(request, "POST", "/api/users", {
    key: adminKey,
    data: { email: employeeEmail, name: "API Employee", roles: ["employee"], password: "employee password 1" },
  });
  expect(created.res.status()).toBe(201);
  expect(created.json).toMatchObject({ email: employeeEmail, roles: ["employee"], disabled: false });
  employeeId = (created.json as { id: string }).id;

  const dup = await call(request, "POST", "/api/users", {
    key: adminKey,
    data: { email: employeeEmail.toUpperCase(), name: "Again", roles: ["employee"], password: "employee password 1" },
  });
  expect(dup.res.status()).toBe(409);
  expect(errorOf(dup.json).message).toBe(`A user with the email ${employeeEmail} already exists.`);

  const group = await call(request, "POST", "/api/groups", { key: adminKey, data: { name: `Ward ${Date.now()}` } });
  expect(group.res.status()).toBe(201);
  groupId = (group.json as { id: string }).id;
  const member = await call(request, "POST", `/api/groups/${groupId}/members`, {
    key: adminKey,
    data: { email: employeeEmail },
  });
  expect(member.res.status()).toBe(201);

  employeeKey = createApiKey(employeeEmail);
  const me = await call(request, "GET", "/api/me", { key: employeeKey });
  expect(me.json).toEqual({
    id: employeeId,
    email: employeeEmail,
    name: "API Employee",
    roles: ["employee"],
    groups: [{ id: groupId, name: expect.stringMatching(/^Ward /) }],
  });
  const users = await call(request, "GET", "/api/users", { key: adminKey });
  expect((users.json as { users: { email: string }[] }).users.map((u) => u.email)).toContain(employeeEmail);
  const groupDetail = await call(request, "GET", `/api/groups/${groupId}`, { key: adminKey });
  expect((groupDetail.json as { members: { email: string }[] }).members.map((m) => m.email)).toEqual([employeeEmail]);
  expect((await call(request, "GET", `/api/users/${employeeId}`, { key: adminKey })).json).toMatchObject({
    email: employeeEmail,
  });
  expect((await call(request, "GET", "/api/groups", { key: adminKey })).res.status()).toBe(200);
});

test("bad input is refused with a message that names the problem, and changes nothing", async ({ request }) => {
  const notJson = await request.post("/api/users", {
    headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
    data: Buffer.from("{oops"),
  });
  expect(notJson.status()).toBe(400);
  expect((await notJson.json()).error.message).toBe("The request body is not valid JSON.");
  const wrongType = await request.post("/api/groups", {
    headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "text/plain" },
    data: Buffer.from("name=x"),
  });
  expect(wrongType.status()).toBe(415);
  const invalid = await call(request, "POST", "/api/users", {
    key: adminKey,
    data: { email: "nope", name: "", roles: ["root"], password: "x" },
  });
  expect(invalid.res.status()).toBe(400);
  expect(errorOf(invalid.json).message).toMatch(
    /email: Enter a valid email address\..*roles\.0: Role must be one of: admin, compliance, employee\..*password: Password must be at least 12 characters\./,
  );
  const nothing = await call(request, "PATCH", `/api/users/${employeeId}`, { key: adminKey, data: {} });
  expect(nothing.res.status()).toBe(400);
  const missing = await call(request, "PATCH", "/api/users/00000000-0000-4000-8000-000000000000", {
    key: adminKey,
    data: { disabled: true },
  });
  expect(missing.res.status()).toBe(404);
  const garbage = await call(request, "GET", "/api/users/not-a-uuid", { key: adminKey });
  expect(garbage.res.status()).toBe(404);
  const stillThere = await call(request, "GET", `/api/users/${employeeId}`, { key: adminKey });
  expect(stillThere.json).toMatchObject({ disabled: false, roles: ["employee"] });
});

test("every admin endpoint answers 403 to an employee", async ({ request }) => {
  const u = "00000000-0000-4000-8000-000000000000";
  const attempts: ["GET" | "POST" | "PATCH" | "DELETE", string, unknown?][] = [
    ["GET", "/api/users"],
    ["POST", "/api/users", { email: uniqueEmail("x"), name: "X", roles: ["admin"], password: "long enough password" }],
    ["GET", `/api/users/${employeeId}`],
    ["PATCH", `/api/users/${employeeId}`, { roles: ["admin"] }],
    ["GET", "/api/groups"],
    ["POST", "/api/groups", { name: "Sneaky" }],
    ["GET", `/api/groups/${groupId}`],
    ["DELETE", `/api/groups/${groupId}`],
    ["POST", `/api/groups/${groupId}/members`, { email: employeeEmail }],
    ["DELETE", `/api/groups/${groupId}/members`, { email: employeeEmail }],
    ["DELETE", `/api/groups/${groupId}/members/${u}`],
  ];
  for (const [method, url, data] of attempts) {
    const { res, json } = await call(request, method, url, { key: employeeKey, data });
    expect(res.status(), `${method} ${url}`).toBe(403);
    expect(errorOf(json).code).toBe("forbidden");
  }
  // And nothing happened: the employee is still an employee, the group still exists.
  expect((await call(request, "GET", `/api/users/${employeeId}`, { key: adminKey })).json).toMatchObject({
    roles: ["employee"],
  });
  expect((await call(request, "GET", `/api/groups/${groupId}`, { key: adminKey })).res.status()).toBe(200);
});

test("a key cannot create a key; a user lists and revokes their own keys; a revoked key gets 401", async ({
  request,
}) => {
  const before = await call(request, "GET", "/api/api-keys", { key: employeeKey });
  const created = await call(request, "POST", "/api/api-keys", { key: employeeKey, data: { name: "script" } });
  expect(created.res.status()).toBe(403);
  expect(errorOf(created.json).message).toMatch(/An API key cannot create API keys/);
  const unchanged = await call(request, "GET", "/api/api-keys", { key: employeeKey });
  expect((unchanged.json as { apiKeys: unknown[] }).apiKeys).toHaveLength(
    (before.json as { apiKeys: unknown[] }).apiKeys.length,
  );

  const key = createApiKey(employeeEmail);
  const prefix = key.split("_")[1]!;
  expect((await call(request, "GET", "/api/me", { key })).res.status()).toBe(200);
  const list = await call(request, "GET", "/api/api-keys", { key: employeeKey });
  const listed = (list.json as { apiKeys: { id: string; prefix: string; lastUsedAt: string | null }[] }).apiKeys;
  const row = listed.find((k) => k.prefix === prefix)!;
  expect(row.lastUsedAt).not.toBeNull();
  expect(JSON.stringify(list.json)).not.toMatch(/keyHash|key_hash/);
  expect((await call(request, "DELETE", `/api/api-keys/${row.id}`, { key: employeeKey })).res.status()).toBe(204);
  const after = await call(request, "GET", "/api/me", { key });
  expect(after.res.status()).toBe(401);

  const cliKey = createApiKey(employeeEmail);
  const cliPrefix = cliKey.split("_")[1]!;
  const revoked = cli(["apikey", "revoke", "--prefix", cliPrefix]);
  expect(revoked.code).toBe(0);
  expect((await call(request, "GET", "/api/me", { key: cliKey })).res.status()).toBe(401);
});

test("disabling a user ends their access on the next request", async ({ request }) => {
  expect((await call(request, "GET", "/api/me", { key: employeeKey })).res.status()).toBe(200);
  const disabled = await call(request, "PATCH", `/api/users/${employeeId}`, {
    key: adminKey,
    data: { disabled: true },
  });
  expect(disabled.json).toMatchObject({ disabled: true });
  const refused = await call(request, "GET", "/api/me", { key: employeeKey });
  expect(refused.res.status()).toBe(401);
  expect(errorOf(refused.json).message).toMatch(/disabled/);
  await call(request, "PATCH", `/api/users/${employeeId}`, { key: adminKey, data: { disabled: false } });
  expect((await call(request, "GET", "/api/me", { key: employeeKey })).res.status()).toBe(200);
  // Removing a membership also takes effect at once.
  expect(
    (await call(request, "DELETE", `/api/groups/${groupId}/members/${employeeId}`, { key: adminKey })).res.status(),
  ).toBe(204);
  expect(((await call(request, "GET", "/api/me", { key: employeeKey })).json as { groups: unknown[] }).groups).toEqual(
    [],
  );
  await call(request, "POST", `/api/groups/${groupId}/members`, { key: adminKey, data: { email: employeeEmail } });
  expect(
    (
      await call(request, "DELETE", `/api/groups/${groupId}/members`, { key: adminKey, data: { email: employeeEmail } })
    ).res.status(),
  ).toBe(204);
  expect((await call(request, "DELETE", `/api/groups/${groupId}`, { key: adminKey })).res.status()).toBe(204);
});
