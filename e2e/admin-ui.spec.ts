import { expect, test, type Browser } from "@playwright/test";
import { LoginPage } from "./pages/login-page";
import { UsersPage } from "./pages/users-page";
import { e2e, uniqueEmail } from "./support/env";

// The foundation's promise, as people in a browser see it: the first admin signs in and
// creates an employee; the employee signs in and is kept out of every admin page by the
// server; disabling the employee ends their access on the next request.

async function signedInPage(browser: Browser, email: string, password: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, password);
  return { context, page };
}

test("a wrong password shows a clear message, the same as an unknown email", async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.submit(e2e.adminEmail, "definitely not the password");
  await expect(login.error()).toHaveText("Invalid email or password.");
  await login.submit(uniqueEmail("nobody"), "definitely not the password");
  await expect(login.error()).toHaveText("Invalid email or password.");
  await expect(page).toHaveURL(/\/login/);
});

test("repeated failures make the next attempts wait, longer each time", async ({ page }) => {
  const login = new LoginPage(page);
  const email = uniqueEmail("throttled");
  await login.goto();
  // The first five failures are free (LOGIN_MAX_FAILURES); each one after closes the gate for
  // 1, 2, 4 … seconds, so a browser that retries at once is told to wait.
  for (let i = 0; i < 5; i++) {
    await login.submitAndSettle(email, `wrong password ${i}`);
    await expect(login.error()).toHaveText("Invalid email or password.");
  }
  const waits: number[] = [];
  for (let i = 5; i < 9 && waits.length < 2; i++) {
    await login.submitAndSettle(email, `wrong password ${i}`);
    await expect(login.error()).toHaveText(
      /^(Invalid email or password\.|Too many failed sign-in attempts\. Try again in \d+ seconds?\.)$/,
    );
    const text = (await login.error().textContent()) ?? "";
    const match = /Try again in (\d+) second/.exec(text);
    if (match) waits.push(Number(match[1]));
  }
  expect(waits.length, "the browser was told to wait").toBeGreaterThan(0);
  expect(Math.max(...waits)).toBeLessThanOrEqual(8);
});

test("admin creates an employee who is kept out of admin pages, then disabled", async ({ browser }) => {
  const admin = await signedInPage(browser, e2e.adminEmail, e2e.adminPassword);
  const users = new UsersPage(admin.page);
  await users.goto();

  const email = uniqueEmail("employee");
  const password = "employee password 42";
  // Bad input first: the form names the problem and creates nothing.
  await users.createUser({ email, name: "Erin Employee", password: "short", roles: ["employee"] });
  await expect(admin.page.getByText("Password must be at least 12 characters.")).toBeVisible();
  await expect(users.row(email)).toHaveCount(0);

  await users.createUser({ email, name: "Erin Employee", password, roles: ["employee"] });
  await expect(admin.page.getByTestId("form-success")).toBeVisible();
  await expect(users.row(email)).toBeVisible();
  await expect(users.row(email).getByTestId("user-roles")).toHaveText(/employee/);
  // What the admin pages send to the browser never includes a password hash.
  expect(await admin.page.content()).not.toMatch(/\$argon2/);

  const employee = await signedInPage(browser, email, password);
  await expect(employee.page.getByTestId("nav-profile")).toBeVisible();
  await expect(employee.page.getByTestId("nav-users")).toHaveCount(0);
  await expect(employee.page.getByTestId("nav-groups")).toHaveCount(0);

  // Hidden links are not the check: the server refuses each admin page with 403.
  await users.openUser(email);
  const userPage = admin.page.url();
  for (const path of ["/admin/users", "/admin/groups", new URL(userPage).pathname]) {
    const res = await employee.page.goto(path);
    expect(res?.status(), path).toBe(403);
    await expect(employee.page.getByTestId("forbidden")).toBeVisible();
  }

  // Disabling takes effect on the employee's very next request.
  await employee.page.goto("/profile");
  await expect(employee.page.getByTestId("profile-email")).toHaveText(email);
  await admin.page.getByTestId("toggle-disabled").click();
  await expect(admin.page.getByTestId("user-status")).toHaveText(/disabled/i);
  await employee.page.goto("/profile");
  await expect(employee.page).toHaveURL(/\/login/);
  const meRes = await employee.page.request.get("/api/me");
  expect(meRes.status()).toBe(401);

  // And they cannot sign in again, with a message that says why.
  const login = new LoginPage(employee.page);
  await login.goto();
  await login.submit(email, password);
  await expect(login.error()).toHaveText("This account is disabled. Ask an administrator to enable it.");

  await admin.context.close();
  await employee.context.close();
});

test("an API key made on the profile page is shown once, authenticates, and stops when revoked", async ({
  browser,
}) => {
  const admin = await signedInPage(browser, e2e.adminEmail, e2e.adminPassword);
  const page = admin.page;
  await page.getByTestId("nav-profile").click();
  await page.getByTestId("create-api-key-form").getByLabel(/name/i).fill("reporting script");
  await page.getByTestId("create-api-key-submit").click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  expect(key).toMatch(/^kq_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);

  const me = await page.request.get("/api/me", { headers: { Authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).email).toBe(e2e.adminEmail);
  // The form's default scopes are chat and read: the administrator's key cannot administer.
  const users = await page.request.get("/api/users", { headers: { Authorization: `Bearer ${key}` } });
  expect(users.status()).toBe(403);

  await page.reload();
  await expect(page.getByTestId("new-api-key")).toHaveCount(0);
  const row = page.getByTestId(`api-key-row-${key.split("_")[1]!}`);
  await expect(row.getByTestId("api-key-scopes")).toHaveText("chat, read");
  await expect(row.getByTestId("api-key-last-used")).not.toHaveText("Never");
  const expires = new Date((await row.getByTestId("api-key-expires").locator("time").getAttribute("datetime"))!);
  expect(Math.round((expires.getTime() - Date.now()) / 86_400_000)).toBe(90);
  expect(await page.content()).not.toContain(key);

  const prefix = key.split("_")[1]!;
  await page.getByTestId(`revoke-${prefix}`).click();
  await expect(page.getByTestId(`api-key-row-${prefix}`).getByTestId("api-key-status")).toHaveText(/revoked/i);
  const after = await page.request.get("/api/me", { headers: { Authorization: `Bearer ${key}` } });
  expect(after.status()).toBe(401);
  await admin.context.close();
});

test("signed-out visitors are sent to sign in, and sign-out ends the session", async ({ browser, page }) => {
  const res = await page.goto("/admin/users");
  await expect(page).toHaveURL(/\/login/);
  expect(res?.status()).toBe(200);

  const admin = await signedInPage(browser, e2e.adminEmail, e2e.adminPassword);
  await admin.page.getByTestId("sign-out").click();
  await expect(admin.page).toHaveURL(/\/login/);
  await admin.page.goto("/profile");
  await expect(admin.page).toHaveURL(/\/login/);
  await admin.context.close();
});
