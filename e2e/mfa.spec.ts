import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import type { TOTP } from "otpauth";
import { LoginPage } from "./pages/login-page";
import { UsersPage } from "./pages/users-page";
import { call } from "./support/api";
import { createEmployee, meStatus, signedIn, signedInAdmin } from "./support/accounts";
import { e2e, uniqueEmail } from "./support/env";
import { totpOf } from "./support/totp";

// Two-step sign-in as people meet it, with codes computed from the key the page shows, as an
// authenticator app computes them: set up on Profile, sign in with a code, with a recovery code
// (once), an administrator's reset, and a role that requires it (the SSO server runs with
// MFA_REQUIRED_ROLES=compliance; the other servers require it of nobody, see ADR 0024).

const password = "ledger quartz mariner 7";

/** The code an app shows `offsetSteps` steps from now. */
function codeOf(totp: TOTP, offsetSteps = 0) {
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

async function readShownKey(page: Page) {
  await expect(page.getByTestId("mfa-qr-code")).toBeVisible();
  const key = (await page.getByTestId("mfa-secret").textContent())?.trim() ?? "";
  expect(key.replace(/\s+/g, "")).toMatch(/^[A-Z2-7]{32}$/);
  return totpOf(key);
}

/** Confirms a set-up in progress with a real code; returns the recovery codes shown. */
async function confirmSetUp(page: Page, totp: TOTP, code = codeOf(totp)) {
  await page.getByTestId("mfa-confirm-form").getByTestId("mfa-code").fill(code);
  await page.getByTestId("mfa-confirm-submit").click();
  await expect(page.getByTestId("recovery-code")).toHaveCount(10);
  return (await page.getByTestId("recovery-code").allTextContents()).map((c) => c.trim());
}

async function signOut(page: Page) {
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login/);
}

async function enterCode(page: Page, code: string) {
  await page.getByTestId("mfa-code").fill(code);
  await page.getByTestId("mfa-sign-in-submit").click();
}

let admin: { context: BrowserContext; page: Page };
test.beforeAll(async ({ browser }) => {
  admin = await signedInAdmin(browser);
});
test.afterAll(async () => admin.context.close());

test.describe.serial("one person's two-step sign-in", () => {
  // Set up in the first test; the later ones sign in with what it showed.
  let email = "";
  let totp: TOTP;
  let recovery: string[] = [];
  let confirmedWith = "";

  test("set up on Profile with a real code; the key leaves the page once it is on", async ({ browser }) => {
    ({ email } = await createEmployee(admin.context, "mfa-user", password));
    const { page, context } = await signedIn(browser, email, password);
    await page.goto("/profile");
    await expect(page.getByTestId("mfa-status")).toContainText("Off.");
    await page.getByTestId("mfa-start").click();
    totp = await readShownKey(page);
    const results = await new AxeBuilder({ page }).include('[data-testid="mfa-section"]').analyze();
    expect(results.violations).toEqual([]);

    // A code from ten minutes ago is refused and leaves the factor off.
    await page.getByTestId("mfa-confirm-form").getByTestId("mfa-code").fill(codeOf(totp, -20));
    await page.getByTestId("mfa-confirm-submit").click();
    await expect(page.getByTestId("form-error")).toHaveText(
      "That code is not right. Enter the 6-digit code your app shows now.",
    );
    confirmedWith = codeOf(totp);
    recovery = await confirmSetUp(page, totp, confirmedWith);
    await expect(page.getByTestId("mfa-secret")).toHaveCount(0);
    await page.getByTestId("recovery-codes-done").click();
    await expect(page.getByTestId("mfa-status")).toContainText("10 unused recovery codes");
    expect(await page.content()).not.toContain("mfa-secret");
    await context.close();
  });

  test("signing in asks for the code after the password, and a used code is refused", async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.submit(email, password);
    await expect(page).toHaveURL(/\/login\/mfa$/);
    await expect(page.getByTestId("mfa-sign-in-intro")).toContainText(email);
    expect(await meStatus(page.context())).toBe(401);
    expect((await new AxeBuilder({ page }).include("main").analyze()).violations).toEqual([]);
    await page.goto("/profile");
    await expect(page).toHaveURL(/\/login\/mfa$/);
    // The code that confirmed the set-up was used already (or, minutes later, is out of date).
    await enterCode(page, confirmedWith);
    await expect(page.getByTestId("form-error")).toContainText(/already been used|not right/);
    await enterCode(page, codeOf(totp, 1));
    await expect(page.getByTestId("home-welcome")).toBeVisible();
    expect(await meStatus(page.context())).toBe(200);
  });

  test("a recovery code signs in once; used again it is refused", async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.submit(email, password);
    await expect(page).toHaveURL(/\/login\/mfa$/);
    await enterCode(page, recovery[0]!);
    await expect(page).toHaveURL(/\/profile\?notice=recovery_code_used$/);
    await expect(page.getByTestId("mfa-recovery-notice")).toContainText("9 of your recovery codes are left");

    await signOut(page);
    await login.submit(email, password);
    await expect(page).toHaveURL(/\/login\/mfa$/);
    await enterCode(page, recovery[0]!);
    await expect(page.getByTestId("form-error")).toHaveText(
      "That code is not right. Enter the 6-digit code your app shows now, or an unused recovery code.",
    );
    expect(await meStatus(page.context())).toBe(401);
    await enterCode(page, recovery[1]!.toUpperCase());
    await expect(page).toHaveURL(/\/profile\?notice=recovery_code_used$/);
  });
});

test("an administrator's reset removes the factor and ends the person's sessions", async ({ browser }) => {
  const { email } = await createEmployee(admin.context, "mfa-reset", password);
  const { page, context } = await signedIn(browser, email, password);
  await page.goto("/profile");
  await page.getByTestId("mfa-start").click();
  await confirmSetUp(page, await readShownKey(page));

  const users = new UsersPage(admin.page);
  await admin.page.goto("/");
  await users.goto();
  await users.openUser(email);
  await expect(admin.page.getByTestId("user-mfa-status")).toContainText("On, with 10 unused recovery codes.");
  await admin.page.getByTestId("reset-mfa").click();
  // The page now says it is off (the reset form goes with it), and the person's session is over.
  await expect(admin.page.getByTestId("user-mfa-status")).toHaveText("Off: signing in asks only for the password.");
  expect(await meStatus(context)).toBe(401);

  // The password alone signs in again: nothing is left to ask for.
  await new LoginPage(page).signIn(email, password);
  await context.close();
});

test.describe.serial("a role that requires it", () => {
  const ssoOrigin = `http://localhost:${process.env.E2E_SSO_PORT}`;
  test.use({ baseURL: ssoOrigin });
  const email = uniqueEmail("mfa-required");
  let totp: TOTP;

  test.beforeAll(async ({ browser }) => {
    // The SSO server's administrator is not required to (only compliance is there).
    const ssoAdmin = await signedIn(browser, e2e.adminEmail, e2e.adminPassword);
    const created = await call(ssoAdmin.context.request, "POST", "/api/users", {
      data: { email, name: "Required person", roles: ["compliance"], password },
    });
    expect(created.res.status()).toBe(201);
    await ssoAdmin.context.close();
  });

  test("holds a compliance user at set-up until it is done, then lets them in", async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.submit(email, password);
    await expect(page).toHaveURL(/\/login\/mfa\/setup$/);
    await expect(page.getByTestId("mfa-required-intro")).toContainText(email);
    expect(await meStatus(page.context())).toBe(401);
    await page.goto("/compliance");
    await expect(page).toHaveURL(/\/login\/mfa\/setup$/);
    expect((await new AxeBuilder({ page }).include("main").analyze()).violations).toEqual([]);

    totp = await readShownKey(page);
    await confirmSetUp(page, totp);
    await page.getByTestId("recovery-codes-done").click();
    await expect(page.getByTestId("home-welcome")).toBeVisible();
    expect(await meStatus(page.context())).toBe(200);
  });

  test("from then on it asks for the code like any account with the factor on", async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.submit(email, password);
    await expect(page).toHaveURL(/\/login\/mfa$/);
    await enterCode(page, codeOf(totp, 1));
    await expect(page.getByTestId("home-welcome")).toBeVisible();
  });
});
