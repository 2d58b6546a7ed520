import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { LoginPage } from "./pages/login-page";
import { SsoLogin } from "./pages/sso-login";
import { UsersPage } from "./pages/users-page";
import { e2e } from "./support/env";

// Single sign-on against a real OpenID provider (e2e/support/oidc-provider.mjs), on the second
// app server that playwright.config.ts starts with OIDC_* set and
// OIDC_ROLE_MAP="kq-admins=admin,kq-audit=compliance". The IdP's fixed accounts are ada
// (kq-admins) and ben (no groups); a test that changes an account adds one of its own.

// localhost, not 127.0.0.1: Next.js rewrites a loopback IP to "localhost" in the URL route handlers
// see, so on one machine only http://localhost:<port> gives both halves of sign-in the same origin.
const ssoOrigin = `http://localhost:${process.env.E2E_SSO_PORT}`;
const idpOrigin = `http://127.0.0.1:${process.env.E2E_IDP_PORT}`;

test.use({ baseURL: ssoOrigin });

async function ssoPage(browser: Browser, login: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new SsoLogin(page, idpOrigin).signIn(login);
  return { context, page };
}

async function me(page: Page) {
  const res = await page.request.get("/api/me");
  expect(res.status()).toBe(200);
  return (await res.json()) as { email: string; name: string; roles: string[] };
}

function uniqueSuffix() {
  return `${Date.now()}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Stands in for an IdP administrator: sets an account's groups, adding the account if it is new. */
async function setIdpAccount(
  request: APIRequestContext,
  login: string,
  account: { roles: string[]; email?: string; name?: string; emailVerified?: boolean },
) {
  const res = await request.post(`${idpOrigin}/test/accounts/${login}`, { data: account });
  expect(res.status(), await res.text()).toBe(204);
}

test("a member of kq-admins signs in through the hospital IdP and is an admin", async ({ page }) => {
  const sso = new SsoLogin(page, idpOrigin);
  await page.goto("/login");
  await expect(sso.button()).toHaveText("Sign in with Hospital SSO");
  await sso.signIn("ada");

  await expect(page).toHaveURL(`${ssoOrigin}/`);
  expect(await me(page)).toMatchObject({ email: "ada.admin@hospital.example", name: "Ada Admin", roles: ["admin"] });
  await expect(page.getByTestId("current-user")).toContainText("Ada Admin");
  const users = new UsersPage(page);
  await users.goto();
  const row = users.row("ada.admin@hospital.example");
  await expect(row.getByTestId("user-roles")).toHaveText("admin");
  // The first SSO login is a sign-in like any other: the admin list shows when it happened.
  await expect(row).not.toContainText("Never");
  const list = await page.request.get("/api/users");
  const ada = (
    (await list.json()) as { users: { email: string; authProvider: string; lastLoginAt: string | null }[] }
  ).users.find((u) => u.email === "ada.admin@hospital.example");
  expect(ada).toMatchObject({ authProvider: "oidc", lastLoginAt: expect.any(String) });
});

test("someone in no mapped group becomes an employee and is kept out of admin pages", async ({ browser }) => {
  const context = await browser.newContext();
  const ben = { context, page: await context.newPage() };
  // The page asked for before sign-in survives the trip through the IdP.
  const sso = new SsoLogin(ben.page, idpOrigin);
  await sso.start("/login?callbackUrl=%2Fprofile");
  await sso.loginAtIdp("ben");
  await expect(ben.page).toHaveURL(`${ssoOrigin}/profile`);
  expect(await me(ben.page)).toMatchObject({ email: "ben.nurse@hospital.example", roles: ["employee"] });
  await expect(ben.page.getByTestId("nav-users")).toHaveCount(0);
  const res = await ben.page.goto("/admin/users");
  expect(res?.status()).toBe(403);
  await expect(ben.page.getByTestId("forbidden")).toBeVisible();
  await ben.context.close();
});

test("the IdP owns the roles: a changed group claim replaces them on the next login", async ({ browser, request }) => {
  const login = `cora-${uniqueSuffix()}`;
  await setIdpAccount(request, login, {
    email: `${login}@hospital.example`,
    name: "Cora Auditor",
    roles: ["kq-audit"],
  });
  const cora = await ssoPage(browser, login);
  expect((await me(cora.page)).roles).toEqual(["compliance"]);

  await setIdpAccount(request, login, { roles: ["kq-admins", "kq-audit"] });
  await cora.page.getByTestId("sign-out").click();
  await expect(cora.page).toHaveURL(/\/login/);
  // Cora still has a session at the IdP, so it sends her straight back without a form.
  await new SsoLogin(cora.page, idpOrigin).button().click();
  await expect(cora.page.getByTestId("home-welcome")).toBeVisible();
  expect((await me(cora.page)).roles).toEqual(["admin", "compliance"]);
  await expect(cora.page.getByTestId("nav-users")).toBeVisible();

  // Taken out of every mapped group, she is an employee again.
  await setIdpAccount(request, login, { roles: ["ward-7"] });
  await cora.page.getByTestId("sign-out").click();
  await new SsoLogin(cora.page, idpOrigin).button().click();
  await expect(cora.page.getByTestId("home-welcome")).toBeVisible();
  expect((await me(cora.page)).roles).toEqual(["employee"]);
  await expect(cora.page.getByTestId("nav-users")).toHaveCount(0);
  await cora.context.close();
});

test("an admin disables an SSO user, who is refused at once and cannot sign in again", async ({ browser, request }) => {
  // The IdP spells the email in mixed case; it is matched and stored lower-cased.
  const suffix = uniqueSuffix();
  const danEmail = `dan.porter-${suffix}@hospital.example`;
  await setIdpAccount(request, `dan-${suffix}`, {
    email: `Dan.Porter-${suffix}@Hospital.example`,
    name: "Dan Porter",
    roles: ["ward-7"],
  });
  const dan = await ssoPage(browser, `dan-${suffix}`);
  expect(await me(dan.page)).toMatchObject({ email: danEmail, roles: ["employee"] });

  const ada = await ssoPage(browser, "ada");
  const users = new UsersPage(ada.page);
  await users.goto();
  await users.openUser(danEmail);
  await ada.page.getByTestId("toggle-disabled").click();
  await expect(ada.page.getByTestId("user-status")).toHaveText(/disabled/i);

  await dan.page.goto("/profile");
  await expect(dan.page).toHaveURL(/\/login/);
  expect((await dan.page.request.get("/api/me")).status()).toBe(401);

  // His IdP session is still alive, so the IdP vouches for him at once; we still refuse.
  await new SsoLogin(dan.page, idpOrigin).button().click();
  await expect(dan.page).toHaveURL(/\/login\?error=disabled/);
  await expect(new LoginPage(dan.page).error()).toHaveText(
    "This account is disabled. Ask an administrator to enable it.",
  );
  expect((await dan.page.request.get("/api/me")).status()).toBe(401);

  await ada.context.close();
  await dan.context.close();
});

test("someone who cancels at the IdP comes back to our sign-in page, told it failed", async ({ page }) => {
  const sso = new SsoLogin(page, idpOrigin);
  await sso.start();
  await sso.cancelAtIdp();
  await expect(page).toHaveURL(/\/login\?error=/);
  await expect(new LoginPage(page).error()).toHaveText("Sign-in failed. Try again.");
  expect((await page.request.get("/api/me")).status()).toBe(401);
});

test("under a host name other than the one the server listens on, SSO still signs in", async ({ browser }) => {
  // Chromium resolves *.localhost to loopback by itself, so no DNS is needed; Next.js receives
  // Host: sso.localhost, as it would a public name from a reverse proxy, and listens on localhost.
  const origin = `http://sso.localhost:${process.env.E2E_SSO_PORT}`;
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  await new SsoLogin(page, idpOrigin).signIn("ben");
  await expect(page).toHaveURL(`${origin}/`);
  // Node cannot resolve sso.localhost, so the page itself asks who it is.
  const answer = await page.evaluate(async () => {
    const res = await fetch("/api/me");
    return { status: res.status, body: (await res.json()) as unknown };
  });
  expect(answer).toMatchObject({ status: 200, body: { email: "ben.nurse@hospital.example", roles: ["employee"] } });
  await context.close();
});

test("an unverified email equal to the administrator's does not sign in as the administrator", async ({
  browser,
  request,
}) => {
  // Anyone who can set their own email at the IdP types the administrator's, in another case.
  const login = `mallory-${uniqueSuffix()}`;
  await setIdpAccount(request, login, {
    email: e2e.adminEmail.toUpperCase(),
    name: "Mallory",
    roles: ["kq-admins"],
    emailVerified: false,
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  const sso = new SsoLogin(page, idpOrigin);
  await sso.start();
  await sso.loginAtIdp(login);
  await expect(page).toHaveURL(/\/login\?error=sso_unverified_email/);
  await expect(new LoginPage(page).error()).toContainText("has not verified your email address");
  expect((await page.request.get("/api/me")).status()).toBe(401);

  // Even verified, the email cannot take over an account that signs in with a password here.
  await setIdpAccount(request, login, { roles: ["kq-admins"], emailVerified: true });
  await sso.button().click();
  await expect(page).toHaveURL(/\/login\?error=sso_local_account/);
  await expect(new LoginPage(page).error()).toContainText("single sign-on cannot take it over");
  expect((await page.request.get("/api/me")).status()).toBe(401);
  await context.close();

  // The administrator's own account is untouched: still a password account, with its roles.
  const admin = await browser.newContext();
  const adminPage = await admin.newPage();
  await new LoginPage(adminPage).signIn(e2e.adminEmail, e2e.adminPassword);
  expect(await me(adminPage)).toMatchObject({ email: e2e.adminEmail, roles: expect.arrayContaining(["admin"]) });
  const users = (await (await adminPage.request.get("/api/users")).json()) as {
    users: { email: string; authProvider: string }[];
  };
  expect(users.users.find((u) => u.email === e2e.adminEmail)?.authProvider).toBe("credentials");
  await admin.close();
});

test("the password form still works next to single sign-on", async ({ page }) => {
  const login = new LoginPage(page);
  await login.signIn(e2e.adminEmail, e2e.adminPassword);
  await expect(page).toHaveURL(`${ssoOrigin}/`);
  const admin = await me(page);
  expect(admin.email).toBe(e2e.adminEmail);
  expect(admin.roles).toContain("admin");
});
