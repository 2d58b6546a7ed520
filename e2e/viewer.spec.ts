import { expect, test, type Browser } from "@playwright/test";
import { makePdf, textPage } from "../ingest/fixtures/make-pdf";
import { call } from "./support/api";
import { SCHEDULE } from "./support/pdfs";
import { ask, createCollection, createGroup, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";
import { ChatPage } from "./pages/chat-page";
import { LoginPage } from "./pages/login-page";

// The in-app viewer, /documents/:id/view: a citation opens the PDF at the cited page with the
// cited words highlighted on it; the masked rendition and other formats open as text at the
// passage; readers reach only current versions, and others nothing at all.

test.describe.configure({ mode: "serial" });

const stamp = Date.now();
const PASSWORD = "viewer page password 1";
const reader = uniqueEmail("viewer-reader");
const outsider = uniqueEmail("viewer-outsider");
const manager = uniqueEmail("viewer-manager");
let readerKey: string;
const SSN = "539-25-1990";
let maskedDocId: string;
let rotaDocId: string;
let rotaV1: string;

const MASKED = makePdf([
  textPage([
    "Incident review",
    `The review of the fall on ward nine concerned patient SSN ${SSN} and was closed in March.`,
    "Falls reviews are closed within twenty working days of the incident being reported.",
  ]),
]);

async function signedIn(browser: Browser, email: string, password = PASSWORD) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, password);
  return { context, page };
}

test.beforeAll(async ({ request }) => {
  // API keys come from the CLI, and this uploads and indexes four documents.
  test.setTimeout(180_000);
  const adminKey = createApiKey(e2e.adminEmail);
  await createUser(request, adminKey, reader, PASSWORD);
  await createUser(request, adminKey, outsider, PASSWORD);
  await createUser(request, adminKey, manager, PASSWORD);
  const group = `Theatre staff ${stamp}`;
  const managers = `Theatre managers ${stamp}`;
  await createGroup(request, adminKey, group, [reader]);
  await createGroup(request, adminKey, managers, [manager]);
  const plain = await createCollection(request, adminKey, `Theatre logistics ${stamp}`);
  const masked = await createCollection(request, adminKey, `Incident reviews ${stamp}`);
  for (const id of [plain, masked]) {
    await call(request, "POST", `/api/collections/${id}/grants`, { key: adminKey, data: { group, access: "read" } });
    await call(request, "POST", `/api/collections/${id}/grants`, {
      key: adminKey,
      data: { group: managers, access: "manage" },
    });
  }
  const policy = await call(request, "PATCH", `/api/collections/${masked}`, {
    key: adminKey,
    data: { privacy: { pii: "mask", piiTypes: ["ssn"] } },
  });
  expect(policy.res.status()).toBe(200);

  const uploads = [
    await uploadText(request, adminKey, plain, "sterile-store.pdf", SCHEDULE, "application/pdf"),
    await uploadText(request, adminKey, masked, "fall-review.pdf", MASKED, "application/pdf"),
    await uploadText(request, adminKey, plain, "rota.md", "# Rota\n\nThe first rota had porters on nights.\n"),
  ];
  for (const u of uploads) await waitForJob(request, adminKey, u.jobId);
  maskedDocId = uploads[1]!.documentId;
  rotaDocId = uploads[2]!.documentId;
  rotaV1 = (uploads[2] as unknown as { versionId: string }).versionId;
  const v2 = await uploadText(request, adminKey, plain, "rota.md", "# Rota\n\nThe new rota has porters on days.\n");
  await waitForJob(request, adminKey, v2.jobId);
  readerKey = createApiKey(reader);
});

test("a citation opens the PDF in the viewer at the cited page with the cited words highlighted, and pages through", async ({
  browser,
}) => {
  const { context, page } = await signedIn(browser, reader);
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.ask("When is the sterile store restocked?");
  const answer = await chat.waitForAnswer();
  await expect(answer.getByTestId("answer-text")).toContainText("every Tuesday and Friday");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: "docs/screenshots/chat-cited-answer.png" });

  await answer.getByTestId("citation-chip").first().click();
  const link = chat.panel().getByTestId("citation-open-viewer");
  await expect(link).toHaveText("Open the document at page 2");
  const [viewer] = await Promise.all([context.waitForEvent("page"), link.click()]);
  await viewer.setViewportSize({ width: 1280, height: 900 });
  await expect(viewer.getByTestId("viewer-title")).not.toBeEmpty();
  await expect(viewer.getByTestId("viewer-page")).toHaveText("Page 2 of 2");
  // The passage is the page's text: its heading and the cited sentence are both highlighted.
  const hit = viewer.getByTestId("viewer-highlight").filter({ hasText: "restocked every Tuesday and Friday" });
  await expect(hit).toHaveCount(1);
  await expect(hit).toBeVisible();
  await expect(viewer.getByTestId("viewer-hit-note")).toHaveText("The cited passage is highlighted.");
  // The highlighted words are drawn where the page shows them: inside the page's canvas.
  const canvas = await viewer.getByTestId("viewer-pdf").locator("canvas").boundingBox();
  const words = await hit.boundingBox();
  expect(words!.y).toBeGreaterThan(canvas!.y);
  expect(words!.y + words!.height).toBeLessThan(canvas!.y + canvas!.height);
  // The whole width of the page is in view, its right edge included: nothing to scroll sideways.
  const sideways = await viewer
    .getByTestId("viewer-pdf")
    .evaluate((el) => el.parentElement!.scrollWidth - el.parentElement!.clientWidth);
  expect(sideways).toBe(0);
  await viewer.screenshot({ path: "docs/screenshots/viewer-highlighted-passage.png" });

  await viewer.getByTestId("viewer-prev").click();
  await expect(viewer.getByTestId("viewer-page")).toHaveText("Page 1 of 2");
  await expect(viewer.getByTestId("viewer-hit-note")).toHaveText("The cited passage is not on this page.");
  await expect(viewer).toHaveURL(/[?&]page=1(&|$)/);
  await expect(viewer.getByTestId("viewer-prev")).toBeDisabled();
  await viewer.getByTestId("viewer-next").click();
  await expect(viewer.getByTestId("viewer-page")).toHaveText("Page 2 of 2");
  await expect(viewer.getByTestId("viewer-highlight").first()).toBeVisible();
  await context.close();
});

test("a reader under the mask policy gets the masked text in the viewer, never the PDF; a manager gets the PDF", async ({
  browser,
}) => {
  const { context, page } = await signedIn(browser, reader);
  const fetched: string[] = [];
  page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(`/documents/${maskedDocId}/view?page=1`);
  const text = page.getByTestId("viewer-text");
  await expect(text).toHaveAttribute("data-masked", "true");
  await expect(text).toContainText("Falls reviews are closed within twenty working days");
  await expect(text).not.toContainText(SSN);
  await expect(page.getByTestId("viewer-pdf")).toHaveCount(0);
  expect(fetched.filter((p) => p.endsWith("/file"))).toEqual([]);
  await context.close();

  const managing = await signedIn(browser, manager);
  await managing.page.goto(`/documents/${maskedDocId}/view`);
  await expect(managing.page.getByTestId("viewer-page")).toHaveText("Page 1 of 1");
  await managing.context.close();
});

test("a non-PDF opens as text with the passage highlighted; readers reach only the current version, outsiders nothing", async ({
  browser,
  request,
}) => {
  const asked = await ask(request, readerKey, { message: "Are porters on days in the new rota?" });
  const cited = asked.final!.citations.find((c) => c.documentId === rotaDocId)!;
  expect(cited.text).toContain("porters on days");
  const { context, page } = await signedIn(browser, reader);
  const current = await page.goto(
    `/documents/${rotaDocId}/view?version=${cited.versionId}&start=${cited.charStart}&end=${cited.charEnd}`,
  );
  expect(current!.status()).toBe(200);
  await expect(page.getByTestId("viewer-highlight")).toHaveText(cited.text);
  const old = await page.goto(`/documents/${rotaDocId}/view?version=${rotaV1}`);
  expect(old!.status()).toBe(404);
  await expect(page.getByText("porters on nights")).toHaveCount(0);
  await context.close();

  const managing = await signedIn(browser, manager);
  await managing.page.goto(`/documents/${rotaDocId}/view?version=${rotaV1}`);
  await expect(managing.page.getByTestId("viewer-text")).toContainText("porters on nights");
  await managing.context.close();

  const out = await signedIn(browser, outsider);
  for (const url of [`/documents/${rotaDocId}/view`, `/documents/${maskedDocId}/view`]) {
    const res = await out.page.goto(url);
    expect(res!.status()).toBe(404);
  }
  await expect(out.page.getByText("porters")).toHaveCount(0);
  await out.context.close();

  // The administrator manages every collection but reads only those granted: a 403 saying so.
  const admin = await signedIn(browser, e2e.adminEmail, e2e.adminPassword);
  for (const url of [`/documents/${rotaDocId}/view`, `/documents/${rotaDocId}/changes`]) {
    const res = await admin.page.goto(url);
    expect(res!.status(), url).toBe(403);
    await expect(admin.page.getByTestId("forbidden")).toBeVisible();
  }
  await expect(admin.page.getByText("porters")).toHaveCount(0);
  await admin.context.close();
});
