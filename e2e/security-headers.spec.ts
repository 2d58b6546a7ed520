import { expect, test, type Page, type Response } from "@playwright/test";
import { makePdf, textPage } from "../ingest/fixtures/make-pdf";
import { call } from "./support/api";
import { ask, createCollection, createGroup, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";
import { ChatPage } from "./pages/chat-page";
import { LoginPage } from "./pages/login-page";

// Every page under the Content-Security-Policy that proxy.ts sends (ADR 0025): the headers are on
// each response, every script carries this response's nonce, and Chromium reports no violation
// and no console error while the pages render, the chat renders a Markdown answer and pdf.js draws
// a PDF. API responses carry the API policy; the original-file download keeps its sandbox.

test.describe.configure({ mode: "serial" });

const stamp = Date.now();
const PASSWORD = "security headers password 1";
const operator = uniqueEmail("csp-operator");
const ids = {} as {
  collection: string;
  pdf: string;
  version: string;
  user: string;
  group: string;
  conversation: string;
};

const PDF = makePdf([
  textPage(["Linen handling", "", "Soiled linen goes into the red bag at the bedside and never onto the floor."]),
  textPage(["Collection", "The linen cage by the lift is emptied every morning at seven."]),
]);

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  const adminKey = createApiKey(e2e.adminEmail);
  await createUser(request, adminKey, operator, PASSWORD, ["admin", "compliance", "employee"]);
  const group = `CSP readers ${stamp}`;
  ids.group = await createGroup(request, adminKey, group, [operator]);
  ids.collection = await createCollection(request, adminKey, `Linen ${stamp}`);
  await call(request, "POST", `/api/collections/${ids.collection}/grants`, {
    key: adminKey,
    data: { group, access: "read" },
  });
  const upload = await uploadText(request, adminKey, ids.collection, "linen.pdf", PDF, "application/pdf");
  await waitForJob(request, adminKey, upload.jobId);
  ids.pdf = upload.documentId;
  ids.version = (upload as unknown as { versionId: string }).versionId;
  const users = await call(request, "GET", "/api/users", { key: adminKey });
  ids.user = (users.json as { users: { id: string; email: string }[] }).users.find((u) => u.email === operator)!.id;
  const asked = await ask(request, createApiKey(operator), {
    message: "When is the linen cage emptied?",
    collectionIds: [ids.collection],
  });
  ids.conversation = asked.final!.conversationId;
});

/** Collects CSP violations (reported in the page) and console errors for one page. */
async function watch(page: Page) {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || /Content Security Policy|Refused to/i.test(msg.text()))
      problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const seen = ((window as unknown as { __violations?: string[] }).__violations ??= []);
      seen.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return async () => {
    const reported = await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []);
    return [...problems, ...reported.map((v) => `violation: ${v}`)];
  };
}

function expectPageHeaders(res: Response | null): string {
  expect(res, "the page answered").not.toBeNull();
  const h = res!.headers();
  const policy = h["content-security-policy"] ?? "";
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/);
  for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"])
    expect(policy).toContain(directive);
  expect(policy).not.toContain("unsafe-inline");
  expect(policy).not.toContain("unsafe-eval");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("strict-origin");
  expect(h["cross-origin-opener-policy"]).toBe("same-origin");
  expect(h["permissions-policy"]).toContain("camera=()");
  // Served over plain http here: no HSTS, no upgrade of subresources.
  expect(h["strict-transport-security"]).toBeUndefined();
  expect(policy).not.toContain("upgrade-insecure-requests");
  return /'nonce-([^']+)'/.exec(policy)![1]!;
}

/**
 * Every script element the server delivered carries the nonce of that response. Scripts those add
 * later (Next.js loading a chunk on demand) need none under 'strict-dynamic', and one that markup
 * injects cannot run (the injection test below); `watch` fails the page on any violation.
 */
async function expectNoncedScripts(page: Page, res: Response | null, nonce: string) {
  const tags = ((await res!.text()).match(/<script\b[^>]*>/g) ?? []) as string[];
  expect(tags.length).toBeGreaterThan(0);
  expect(tags.filter((t) => !t.includes(` nonce="${nonce}"`))).toEqual([]);
  const live = await page.evaluate(() => Array.from(document.scripts, (s) => s.nonce));
  expect(live).toContain(nonce);
}

const PAGES = () => [
  "/",
  "/chat",
  `/chat/${ids.conversation}`,
  "/collections",
  `/collections/${ids.collection}`,
  `/collections/${ids.collection}/evaluation`,
  "/admin",
  "/admin/users",
  `/admin/users/${ids.user}`,
  "/admin/groups",
  `/admin/groups/${ids.group}`,
  "/admin/aibom",
  "/compliance",
  `/documents/${ids.pdf}/changes`,
  "/compliance/events/1",
  "/compliance/retention",
  "/compliance/review",
  "/profile",
  "/no-such-page",
];

test("the sign-in page carries the headers and signs in under the policy", async ({ page }) => {
  const problems = await watch(page);
  const res = await page.goto("/login");
  const nonce = expectPageHeaders(res);
  await expectNoncedScripts(page, res, nonce);
  await new LoginPage(page).signIn(operator, PASSWORD);
  expect(await problems()).toEqual([]);
});

test("markup injected into a page cannot run script or style itself", async ({ page }) => {
  const problems = await watch(page);
  await page.goto("/login");
  // What an HTML injection would add: an inline event handler and an inline style attribute.
  await page.evaluate(() => {
    document.body.insertAdjacentHTML("beforeend", '<img src="/favicon.svg" onload="window.__ran = 1">');
    document.body.insertAdjacentHTML("beforeend", '<p data-testid="injected" style="color: rgb(255, 0, 0)">x</p>');
  });
  await expect
    .poll(problems)
    .toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^violation: script-src-attr/),
        expect.stringMatching(/^violation: style-src-attr/),
      ]),
    );
  expect(await page.evaluate(() => (window as unknown as { __ran?: number }).__ran)).toBeUndefined();
  await expect(page.getByTestId("injected")).not.toHaveCSS("color", "rgb(255, 0, 0)");
});

test("every page renders under the policy with a fresh nonce and no violation", async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  const login = await context.newPage();
  await new LoginPage(login).signIn(operator, PASSWORD);
  const nonces = new Set<string>();
  for (const path of PAGES()) {
    const page = await context.newPage();
    const problems = await watch(page);
    const res = await page.goto(path);
    const nonce = expectPageHeaders(res);
    await page.waitForLoadState("networkidle");
    await expectNoncedScripts(page, res, nonce);
    nonces.add(nonce);
    expect(await problems(), path).toEqual(path === "/no-such-page" ? [expect.stringContaining("404")] : []);
    await page.close();
  }
  expect(nonces.size, "a nonce is never reused").toBe(PAGES().length);
  await context.close();
});

test("a Markdown answer renders and pdf.js draws the cited PDF, with no violation", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(operator, PASSWORD);
  const problems = await watch(page);
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.ask("Where does soiled linen go?");
  const answer = await chat.waitForAnswer();
  await expect(answer.getByTestId("answer-text")).toContainText("red bag");

  const viewer = await context.newPage();
  const viewerProblems = await watch(viewer);
  expectPageHeaders(await viewer.goto(`/documents/${ids.pdf}/view?version=${ids.version}&page=2`));
  await expect(viewer.locator("canvas")).toBeVisible();
  await expect(viewer.getByText("The linen cage by the lift is emptied every morning at seven.")).toBeAttached();
  expect(await problems()).toEqual([]);
  expect(await viewerProblems()).toEqual([]);
  await context.close();
});

test("API answers carry the API policy, and the original file keeps its sandbox", async ({ request }) => {
  const key = createApiKey(operator);
  const me = await request.get("/api/me", { headers: { authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  expect(me.headers()["content-security-policy"]).toBe(
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  );
  expect(me.headers()["x-content-type-options"]).toBe("nosniff");
  const anonymous = await request.get("/api/me");
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()["content-security-policy"]).toContain("default-src 'none'");
  const unknown = await request.get("/api/no/such/thing");
  expect(unknown.headers()["content-security-policy"]).toContain("default-src 'none'");

  const file = await request.get(`/api/documents/${ids.pdf}/file`, { headers: { authorization: `Bearer ${key}` } });
  expect(file.status()).toBe(200);
  expect(file.headers()["content-security-policy"]).toBe("sandbox; default-src 'none'");
  expect(file.headers()["referrer-policy"]).toBe("strict-origin");

  // Files that reach neither proxy.ts nor a route wrapper still get the fixed headers.
  const icon = await request.get("/favicon.svg");
  expect(icon.headers()["x-content-type-options"]).toBe("nosniff");
  expect(icon.headers()["cross-origin-resource-policy"]).toBe("same-origin");
});
