import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { LoginPage } from "./pages/login-page";
import { UsersPage } from "./pages/users-page";
import { copyOf, createEmployee, meStatus, signedIn, signedInAdmin } from "./support/accounts";

// Passwords as people meet them: changing one's own on the profile page, an administrator's reset
// to a one-time password that only opens the form to choose a new one, and the policy's messages.
// After each change, a copy of a cookie from before it no longer works.

const first = "ledger quartz mariner 7";
const second = "copper lantern orbit 9";
const third = "granite willow comet 4";

let admin: { context: BrowserContext; page: Page };
test.beforeAll(async ({ browser }) => {
  admin = await signedInAdmin(browser);
});
test.afterAll(async () => admin.context.close());

async function fillNewPassword(page: Page, form: string, password: string, again = password) {
  await page.getByTestId(form).getByLabel("New password", { exact: true }).fill(password);
  await page.getByTestId(form).getByLabel("New password again").fill(again);
}

/** Resets the user's password on the admin page and returns the one-time password shown. */
async function resetOnAdminPage(email: string) {
  const users = new UsersPage(admin.page);
  await admin.page.goto("/");
  await users.goto();
  await users.openUser(email);
  await admin.page.getByTestId("reset-password").click();
  const oneTime = (await admin.page.getByTestId("one-time-password").textContent())?.trim() ?? "";
  expect(oneTime).toMatch(/^[A-Za-z0-9_-]{20}$/);
  return oneTime;
}

test("the profile's password form names each problem and changes nothing", async ({ browser }) => {
  const { email } = await createEmployee(admin.context, "pw-refused", first);
  const { page, context } = await signedIn(browser, email, first);
  await page.goto("/profile");
  const form = page.getByTestId("change-password-form");
  const results = await new AxeBuilder({ page }).include('[data-testid="change-password-form"]').analyze();
  expect(results.violations).toEqual([]);

  await form.getByLabel("Current password").fill("not my password at all");
  await fillNewPassword(page, "change-password-form", second);
  await page.getByTestId("change-password-submit").click();
  await expect(form.getByTestId("form-error")).toHaveText("Your current password is not right.");

  await form.getByLabel("Current password").fill(first);
  await fillNewPassword(page, "change-password-form", "password1234");
  await page.getByTestId("change-password-submit").click();
  await expect(form.getByTestId("form-error")).toContainText("This password is too easy to guess.");

  await fillNewPassword(page, "change-password-form", second, `${second}x`);
  await page.getByTestId("change-password-submit").click();
  await expect(form).toContainText("The two new passwords differ.");
  expect(await meStatus(context)).toBe(200);
});

test("a changed password ends every session: the old password and a copied cookie stop working", async ({
  browser,
}) => {
  const { email } = await createEmployee(admin.context, "pw-change", first);
  const user = await signedIn(browser, email, first);
  const stolen = await copyOf(browser, user.context);
  const { page } = user;
  await page.goto("/profile");
  const form = page.getByTestId("change-password-form");
  await form.getByLabel("Current password").fill(first);
  await fillNewPassword(page, "change-password-form", second);
  await page.getByTestId("change-password-submit").click();
  await expect(page).toHaveURL(/\/login\?notice=password_changed/);
  await expect(page.getByTestId("login-notice")).toContainText("Sign in with the new password.");
  await expect(page.getByTestId("current-user")).toHaveCount(0);
  expect(await meStatus(stolen)).toBe(401);
  expect(await meStatus(user.context)).toBe(401);

  const login = new LoginPage(page);
  await login.submit(email, first);
  await expect(login.error()).toHaveText("Invalid email or password.");
  await login.signIn(email, second);
});

test("an administrator's reset ends the person's sessions and the old password", async ({ browser }) => {
  const { email } = await createEmployee(admin.context, "pw-reset", first);
  const user = await signedIn(browser, email, first);
  const stolen = await copyOf(browser, user.context);
  await resetOnAdminPage(email);
  expect(await meStatus(stolen)).toBe(401);
  expect(await meStatus(user.context)).toBe(401);
  const page = await (await browser.newContext()).newPage();
  const login = new LoginPage(page);
  await login.goto();
  await login.submit(email, first);
  await expect(login.error()).toHaveText("Invalid email or password.");
});

test("a one-time password only opens the form that replaces it", async ({ browser }) => {
  const { email } = await createEmployee(admin.context, "pw-onetime", first);
  const oneTime = await resetOnAdminPage(email);
  const page = await (await browser.newContext()).newPage();
  const login = new LoginPage(page);
  await login.goto();
  await login.submit(email, oneTime);
  await expect(page).toHaveURL(/\/login\/password$/);
  await expect(page.getByTestId("replace-password-intro")).toContainText(email);
  expect(await meStatus(page.context())).toBe(401);
  await page.goto("/profile");
  await expect(page).toHaveURL(/\/login\/password$/);
  const results = await new AxeBuilder({ page }).include("main").analyze();
  expect(results.violations).toEqual([]);

  await fillNewPassword(page, "replace-password-form", oneTime);
  await page.getByTestId("replace-password-submit").click();
  await expect(page.getByTestId("form-error")).toHaveText("The new password must differ from the current one.");
  await fillNewPassword(page, "replace-password-form", "qwertyuiop12");
  await page.getByTestId("replace-password-submit").click();
  await expect(page.getByTestId("form-error")).toContainText("This password is too easy to guess.");
  await fillNewPassword(page, "replace-password-form", third);
  await page.getByTestId("replace-password-submit").click();
  await expect(page.getByTestId("login-notice")).toHaveText("Your password is saved. Sign in with it.");

  await login.submit(email, oneTime);
  await expect(login.error()).toHaveText("Invalid email or password.");
  await login.signIn(email, third);
  expect(await meStatus(page.context())).toBe(200);
});
