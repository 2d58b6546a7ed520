import { expect, type Browser, type BrowserContext } from "@playwright/test";
import { LoginPage } from "../pages/login-page";
import { call } from "./api";
import { e2e, uniqueEmail } from "./env";

// Accounts and signed-in browsers for the identity specs (sessions, passwords, MFA).

export async function signedIn(browser: Browser, email: string, password: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, password);
  return { context, page };
}

/** A second browser holding a copy of the first one's cookies, as a thief would. */
export async function copyOf(browser: Browser, context: BrowserContext) {
  return browser.newContext({ storageState: await context.storageState() });
}

export async function meStatus(context: BrowserContext) {
  return (await call(context.request, "GET", "/api/me")).res.status();
}

/** Creates an employee through the admin API with the given admin browser; returns its email and id. */
export async function createEmployee(admin: BrowserContext, label: string, password: string) {
  const email = uniqueEmail(label);
  const created = await call(admin.request, "POST", "/api/users", {
    data: { email, name: `${label} person`, roles: ["employee"], password },
  });
  expect(created.res.status()).toBe(201);
  return { email, id: (created.json as { id: string }).id };
}

export function signedInAdmin(browser: Browser) {
  return signedIn(browser, e2e.adminEmail, e2e.adminPassword);
}
