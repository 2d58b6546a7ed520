import { expect, test, type Browser, type BrowserContext } from "@playwright/test";
import { LoginPage } from "./pages/login-page";
import { call } from "./support/api";
import { e2e, uniqueEmail } from "./support/env";

// Sessions end on the server, not when the cookie expires: after each event that should end a
// session, a copy of the cookie taken before it (what a thief would hold) is presented again.

const password = "ledger quartz mariner 7";

async function signedIn(browser: Browser, email: string, pw: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, pw);
  return { context, page };
}

/** A second browser holding a copy of the first one's cookies. */
async function copyOf(browser: Browser, context: BrowserContext) {
  return browser.newContext({ storageState: await context.storageState() });
}

async function meStatus(context: BrowserContext) {
  return (await call(context.request, "GET", "/api/me")).res.status();
}

test("sign-out, a role change and disabling the account end the session a copied cookie holds", async ({ browser }) => {
  const admin = await signedIn(browser, e2e.adminEmail, e2e.adminPassword);
  const email = uniqueEmail("session");
  const created = await call(admin.page.request, "POST", "/api/users", {
    data: { email, name: "Sam Session", roles: ["employee"], password },
  });
  expect(created.res.status()).toBe(201);
  const userId = (created.json as { id: string }).id;

  // Sign-out: the copy stops working, and a page sends it to sign-in.
  const first = await signedIn(browser, email, password);
  const stolen = await copyOf(browser, first.context);
  expect(await meStatus(stolen)).toBe(200);
  await first.page.getByTestId("sign-out").click();
  await expect(first.page).toHaveURL(/\/login/);
  expect(await meStatus(stolen)).toBe(401);
  const page = await stolen.newPage();
  await page.goto("/profile");
  await expect(page).toHaveURL(/\/login/);

  // A role change by an administrator.
  const second = await signedIn(browser, email, password);
  const stolenAgain = await copyOf(browser, second.context);
  const roles = await call(admin.page.request, "PATCH", `/api/users/${userId}`, {
    data: { roles: ["compliance", "employee"] },
  });
  expect(roles.res.status()).toBe(200);
  expect(await meStatus(second.context)).toBe(401);
  expect(await meStatus(stolenAgain)).toBe(401);

  // Disabling the account; enabling it again does not bring the old session back.
  const third = await signedIn(browser, email, password);
  const copy = await copyOf(browser, third.context);
  expect(await meStatus(copy)).toBe(200);
  expect(
    (await call(admin.page.request, "PATCH", `/api/users/${userId}`, { data: { disabled: true } })).res.status(),
  ).toBe(200);
  expect(await meStatus(copy)).toBe(401);
  expect(
    (await call(admin.page.request, "PATCH", `/api/users/${userId}`, { data: { disabled: false } })).res.status(),
  ).toBe(200);
  expect(await meStatus(copy)).toBe(401);
  expect(await meStatus(third.context)).toBe(401);

  // The person signs in again and works as before.
  const fresh = await signedIn(browser, email, password);
  expect(await meStatus(fresh.context)).toBe(200);
});
