import { expect, test, type Browser, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { LoginPage } from "./pages/login-page";
import { call } from "./support/api";
import { PASSWORD, prepareTour, signInPage, type Tour } from "./support/a11y-fixtures";
import { e2e, uniqueEmail } from "./support/env";

// axe on every page of the app (app/**/page.tsx), in the light and the dark colour scheme, each
// page with real content and signed in as a role that may see it. A serious or critical
// violation fails the test, naming the page, the scheme, the rule and the elements.

test.describe.configure({ mode: "serial" });

let tour: Tour;
const pages: Record<"admin" | "employee" | "compliance", Page> = {} as never;

test.beforeAll(async ({ browser, request }) => {
  test.setTimeout(240_000);
  tour = await prepareTour(browser, request);
  pages.admin = await signInPage(browser, e2e.adminEmail, e2e.adminPassword);
  pages.employee = await signInPage(browser, tour.employee);
  pages.compliance = await signInPage(browser, tour.compliance);
});

test.afterAll(async () => {
  for (const page of Object.values(pages)) await page.context().close();
});

/** Serious and critical violations on the page as it is now, one line each. */
async function violations(page: Page, label: string): Promise<string[]> {
  // Only violations are gathered: on a long page (the AI bill of materials) the passes take most of the time.
  const results = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Checks the page in light, then in dark, and fails with every violation found in either. */
async function checkBothSchemes(page: Page, name: string) {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    found.push(...(await violations(page, `${name} [${colorScheme}]`)));
  }
  await page.emulateMedia({ colorScheme: null });
  expect.soft(found, found.join("\n")).toEqual([]);
}

/** Opens the path and waits for what a person sees first: the page's heading, then `ready`. */
async function visit(page: Page, path: string, ready?: string) {
  const res = await page.goto(path);
  expect(res!.status(), `${path} answered ${res!.status()}`).toBe(200);
  await expect(page.locator("h1").first()).toBeVisible();
  if (ready) await expect(page.getByTestId(ready).first()).toBeVisible();
}

const signedInPages: { name: string; role: keyof typeof pages; path: () => string; ready?: string }[] = [
  { name: "home", role: "admin", path: () => "/", ready: "home-welcome" },
  { name: "chat", role: "employee", path: () => "/chat" },
  { name: "conversation", role: "employee", path: () => `/chat/${tour.conversationId}`, ready: "citation-chip" },
  { name: "profile", role: "employee", path: () => "/profile", ready: "mfa-status" },
  {
    name: "viewer (PDF)",
    role: "employee",
    path: () => `/documents/${tour.pdfId}/view?page=2`,
    ready: "viewer-page",
  },
  { name: "viewer (text)", role: "employee", path: () => `/documents/${tour.notesId}/view`, ready: "viewer-text" },
  { name: "document changes", role: "employee", path: () => `/documents/${tour.notesId}/changes` },
  { name: "collections", role: "admin", path: () => "/collections" },
  { name: "collection", role: "admin", path: () => `/collections/${tour.collectionId}` },
  { name: "collection evaluation", role: "admin", path: () => `/collections/${tour.collectionId}/evaluation` },
  { name: "admin", role: "admin", path: () => "/admin" },
  { name: "users", role: "admin", path: () => "/admin/users", ready: "users-table" },
  { name: "user", role: "admin", path: () => `/admin/users/${tour.employeeId}`, ready: "user-email" },
  { name: "groups", role: "admin", path: () => "/admin/groups", ready: "groups-table" },
  { name: "group", role: "admin", path: () => `/admin/groups/${tour.groupId}` },
  { name: "AI bill of materials", role: "admin", path: () => "/admin/aibom" },
  { name: "compliance console", role: "compliance", path: () => "/compliance", ready: "events-table" },
  { name: "retention", role: "compliance", path: () => "/compliance/retention" },
  { name: "review queue", role: "compliance", path: () => "/compliance/review", ready: "review-table" },
];

// Generous: the AI bill of materials lists every package of the lockfile (over a thousand rows), and
// axe checks each cell's contrast twice on a loaded machine.
for (const p of signedInPages) {
  test(`axe: ${p.name} (${p.role})`, async () => {
    test.setTimeout(240_000);
    const page = pages[p.role];
    await visit(page, p.path(), p.ready);
    if (p.name === "viewer (PDF)") await expect(page.getByTestId("viewer-pdf").locator("canvas")).toBeVisible();
    await checkBothSchemes(page, p.name);
  });
}

test("axe: an audit event and a review item (compliance)", async () => {
  const page = pages.compliance;
  await visit(page, "/compliance", "events-table");
  await page.getByTestId("event-row").first().getByRole("link").click();
  await expect(page.getByTestId("event-title")).toBeVisible();
  await checkBothSchemes(page, "audit event");

  await visit(page, "/compliance/review", "review-table");
  await page.getByTestId("review-item-link").first().click();
  await expect(page.getByTestId("review-item-title")).toContainText("Review #");
  await checkBothSchemes(page, "review item");
});

async function freshPage(browser: Browser, baseURL?: string) {
  // Without a base URL of its own the context keeps the config's (the main server).
  const context = await browser.newContext({ ...(baseURL ? { baseURL } : {}), viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

test("axe: the sign-in pages (signed out, a second factor pending, a one-time password)", async ({ browser }) => {
  const page = await freshPage(browser);
  const login = new LoginPage(page);
  await login.goto();
  await expect(page.getByTestId("login-submit")).toBeVisible();
  await checkBothSchemes(page, "sign in");
  await login.submit(tour.mfaUser, PASSWORD);
  await expect(page).toHaveURL(/\/login\/mfa$/);
  await expect(page.getByTestId("mfa-sign-in-intro")).toBeVisible();
  await checkBothSchemes(page, "second factor");
  await page.context().close();

  const reset = await freshPage(browser);
  const resetLogin = new LoginPage(reset);
  await resetLogin.goto();
  await resetLogin.submit(tour.resetUser, tour.oneTimePassword);
  await expect(reset).toHaveURL(/\/login\/password$/);
  await expect(reset.getByTestId("replace-password-form")).toBeVisible();
  await checkBothSchemes(reset, "replace password");
  await reset.context().close();
});

test("axe: setting up a second factor a role requires (the SSO server, where compliance must)", async ({ browser }) => {
  const origin = `http://localhost:${process.env.E2E_SSO_PORT}`;
  const admin = await freshPage(browser, origin);
  await new LoginPage(admin).signIn(e2e.adminEmail, e2e.adminPassword);
  const email = uniqueEmail("axe-required");
  const created = await call(admin.context().request, "POST", "/api/users", {
    data: { email, name: "Required person", roles: ["compliance"], password: PASSWORD },
  });
  expect(created.res.status()).toBe(201);
  await admin.context().close();

  const page = await freshPage(browser, origin);
  const login = new LoginPage(page);
  await login.goto();
  await login.submit(email, PASSWORD);
  await expect(page).toHaveURL(/\/login\/mfa\/setup$/);
  await expect(page.getByTestId("mfa-qr-code")).toBeVisible();
  await checkBothSchemes(page, "second factor set-up");
  await page.context().close();
});

test("the README's screenshots of the compliance console and the review queue", async () => {
  const page = pages.compliance;
  await page.setViewportSize({ width: 1280, height: 800 });
  await visit(page, "/compliance", "events-table");
  await page.screenshot({ path: "docs/screenshots/compliance-console.png" });
  await visit(page, "/compliance/review", "review-table");
  await expect(page.getByTestId("review-row").first()).toBeVisible();
  await page.screenshot({ path: "docs/screenshots/review-queue.png" });
});
