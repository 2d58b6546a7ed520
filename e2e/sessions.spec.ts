import { expect, test, type BrowserContext } from "@playwright/test";
import { call } from "./support/api";
import { copyOf, createEmployee, meStatus, signedIn, signedInAdmin } from "./support/accounts";

// Sessions end on the server, not when the cookie expires: after each event that should end a
// session, a copy of the cookie taken before it (what a thief would hold) is presented again.

const password = "ledger quartz mariner 7";
let admin: BrowserContext;

test.beforeAll(async ({ browser }) => {
  admin = (await signedInAdmin(browser)).context;
});
test.afterAll(async () => admin.close());

async function patchUser(id: string, data: unknown) {
  expect((await call(admin.request, "PATCH", `/api/users/${id}`, { data })).res.status()).toBe(200);
}

test("sign-out ends the session a copied cookie holds, and pages send it to sign in", async ({ browser }) => {
  const { email } = await createEmployee(admin, "signout", password);
  const user = await signedIn(browser, email, password);
  const stolen = await copyOf(browser, user.context);
  expect(await meStatus(stolen)).toBe(200);
  await user.page.getByTestId("sign-out").click();
  await expect(user.page).toHaveURL(/\/login/);
  expect(await meStatus(stolen)).toBe(401);
  const page = await stolen.newPage();
  await page.goto("/profile");
  await expect(page).toHaveURL(/\/login/);
});

test("a role change by an administrator ends the user's sessions", async ({ browser }) => {
  const { email, id } = await createEmployee(admin, "roles", password);
  const user = await signedIn(browser, email, password);
  const stolen = await copyOf(browser, user.context);
  await patchUser(id, { roles: ["compliance", "employee"] });
  expect(await meStatus(user.context)).toBe(401);
  expect(await meStatus(stolen)).toBe(401);
  // Signing in again gives a session with the new roles.
  const again = await signedIn(browser, email, password);
  expect(((await call(again.context.request, "GET", "/api/me")).json as { roles: string[] }).roles).toEqual([
    "compliance",
    "employee",
  ]);
});

test("disabling the account ends its sessions, and enabling it again does not bring them back", async ({ browser }) => {
  const { email, id } = await createEmployee(admin, "disable", password);
  const user = await signedIn(browser, email, password);
  const stolen = await copyOf(browser, user.context);
  await patchUser(id, { disabled: true });
  expect(await meStatus(stolen)).toBe(401);
  await patchUser(id, { disabled: false });
  expect(await meStatus(stolen)).toBe(401);
  expect(await meStatus(user.context)).toBe(401);
  const fresh = await signedIn(browser, email, password);
  expect(await meStatus(fresh.context)).toBe(200);
});
