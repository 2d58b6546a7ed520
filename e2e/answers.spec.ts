import { expect, test } from "@playwright/test";
import { call } from "./support/api";
import { createCollection, createGroup, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";
import { ChatPage } from "./pages/chat-page";
import { LoginPage } from "./pages/login-page";

// Formatted answers, on the server whose model (e2e/support/markdown-model-server.mjs) writes
// Markdown: a table, a list with bold text, citations inside both, a claim no passage supports,
// and raw HTML. What the page shows is the real rendering of what the real stream delivered.

test.describe.configure({ mode: "serial" });

const base = e2e.mdBaseUrl;
const PASSWORD = "markdown answers password 1";
const nurse = uniqueEmail("md-nurse");

test.beforeAll(async ({ request }) => {
  // API keys come from the CLI, and the first upload to a fresh server loads the embedder.
  test.setTimeout(120_000);
  const adminKey = createApiKey(e2e.adminEmail, e2e.mdDataDir);
  await createUser(request, adminKey, nurse, PASSWORD, ["employee"], base);
  await createGroup(request, adminKey, "Ward nurses", [nurse], base);
  const collectionId = await createCollection(request, adminKey, "Ward protocols", base);
  await call(request, "POST", `${base}/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { group: "Ward nurses", access: "read" },
  });
  const file = await uploadText(
    request,
    adminKey,
    collectionId,
    "dressings.md",
    "# Dressings\n\nTransparent dressings on central venous catheters are changed every seven days.\n",
    "text/markdown",
    base,
  );
  await waitForJob(request, adminKey, file.jobId, base);
});

test("an answer written in Markdown shows as a table and a list, with chips and weak marks inside, and no raw HTML", async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  const requested: string[] = [];
  page.on("request", (r) => requested.push(r.url()));
  await new LoginPage(page).signIn(nurse, PASSWORD);
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.ask("How often are transparent dressings changed?");

  // While it streams, the first paragraph is already formatted; it must be the same element
  // once the answer is complete (a finished block is never re-rendered).
  const answer = chat.lastAnswer();
  await expect(answer.getByTestId("answer-streaming")).toBeVisible();
  const intro = answer.getByTestId("answer-text").locator("p").first();
  await expect(intro).toContainText("Here is what the protocol says");
  await intro.evaluate((el) => ((window as unknown as { introParagraph: Element }).introParagraph = el));

  await chat.waitForAnswer();
  await expect(answer).toHaveAttribute("data-status", "complete");
  expect(await intro.evaluate((el) => el === (window as unknown as { introParagraph: Element }).introParagraph)).toBe(
    true,
  );

  const table = answer.getByTestId("answer-table");
  await expect(table.locator("th")).toHaveText(["Dressing", "Rule"]);
  const cell = table.locator("td").nth(1);
  await expect(cell).toContainText("changed every seven days");
  await expect(cell.getByTestId("citation-chip")).toHaveText("1");

  const items = answer.getByTestId("answer-text").locator("li");
  await expect(items).toHaveCount(2);
  await expect(items.first().locator("strong")).toContainText("Transparent dressings");
  await expect(items.nth(1).getByTestId("answer-weak")).toContainText("Purple unicorns");
  await expect(items.nth(1).getByTestId("answer-weak-note")).toBeVisible();
  await expect(items.first().getByTestId("answer-weak")).toHaveCount(0);

  // The raw HTML was dropped: no image was requested, no script ran, nothing of it shows.
  await expect(answer.locator("img, script")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __answerScript?: number }).__answerScript)).toBeUndefined();
  expect(requested.filter((u) => u.includes("leak.png"))).toEqual([]);

  // A chip inside the table opens the cited passage.
  await cell.getByTestId("citation-chip").click();
  await expect(chat.panel()).toBeVisible();
  await expect(chat.panel().getByTestId("citation-passage")).toContainText("every seven days");
  await page.screenshot({ path: "test-results/answers-formatted.png", fullPage: true });
  await context.close();
});

test("a chip previews its passage on hover and focus; the panel leaves the question box free; / and Escape work", async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await new LoginPage(page).signIn(nurse, PASSWORD);
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.conversationLinks().first().click();
  const answer = chat.lastAnswer();
  const chip = answer.getByTestId("answer-table").getByTestId("citation-chip");

  await chip.hover();
  const preview = answer.getByTestId("citation-preview");
  await expect(preview).toBeVisible();
  await expect(preview.getByTestId("citation-preview-source")).toHaveText("Dressings, version 1");
  await expect(preview.getByTestId("citation-preview-heading")).toHaveText("Dressings");
  await expect(preview.getByTestId("citation-preview-text")).toContainText("changed every seven days");
  await page.mouse.move(0, 0);
  await expect(preview).toHaveCount(0);
  await chip.focus();
  await expect(preview).toBeVisible();
  await expect(chip).toHaveAttribute("aria-describedby", /.+/);
  await page.keyboard.press("Escape");
  await expect(preview).toHaveCount(0);

  // Sources: the document once, its passages under it.
  await expect(answer.getByTestId("source-document")).toHaveCount(1);
  await expect(answer.getByTestId("source-document-title")).toHaveText("Dressings, version 1");

  // The panel sits beside the conversation: the question box stays visible and usable.
  await page.keyboard.press("Enter");
  await expect(chat.panel()).toBeVisible();
  const panelBox = (await chat.panel().boundingBox())!;
  const inputBox = (await chat.input().boundingBox())!;
  expect(inputBox.x + inputBox.width).toBeLessThanOrEqual(panelBox.x);
  await page.screenshot({ path: "test-results/answers-panel-beside.png" });
  await page.keyboard.press("Escape");
  await expect(chat.panel()).toBeHidden();

  // "/" goes to the question box; Escape stops an answer being written.
  await page.getByTestId("answer-table").click();
  await page.keyboard.press("/");
  await expect(chat.input()).toBeFocused();
  await chat.input().fill("And gauze dressings?");
  await chat.input().press("Enter");
  await expect(chat.lastAnswer().getByTestId("answer-streaming")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(chat.lastAnswer()).toHaveAttribute("data-status", "stopped");
  await expect(chat.lastAnswer().getByTestId("answer-stopped")).toBeVisible();
  await context.close();
});
