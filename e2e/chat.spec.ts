import { expect, test, type Browser } from "@playwright/test";
import { makePdf, textPage } from "../ingest/fixtures/make-pdf";
import { call } from "./support/api";
import { createCollection, createGroup, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";
import { ChatPage } from "./pages/chat-page";
import { LoginPage } from "./pages/login-page";

// The main job, as an employee sees it: upload a protocol (as an admin), ask about it, read a
// streamed answer whose citations open the passage and the original at its page, rate it, copy
// it, and find the conversation again. Someone without access gets nothing of it.

test.describe.configure({ mode: "serial" });

const stamp = Date.now();
const PASSWORD = "chat page password 1";
const nurse = uniqueEmail("chat-nurse");
const outsider = uniqueEmail("chat-outsider");
let collectionName: string;
let pdfDocId: string;

// A two-page protocol: the answer is on page 2, so the citation must say page 2.
const PROTOCOL = makePdf([
  // Page 1 is long enough to fill a passage of its own, so page 2 starts the next one.
  textPage([
    "Central line care protocol",
    "",
    "Scope",
    "This protocol applies to all adult inpatient wards, the intensive care unit and the day surgery unit.",
    "It covers adult patients with a central venous catheter inserted for any reason, whether tunnelled or not.",
    "Paediatric and neonatal units follow their own protocol, which is kept by the paediatric nursing lead.",
    "Nurses caring for a patient with a central line complete the line care record at the start of every shift.",
    "The record notes the insertion date, the catheter type, the number of lumens and the state of the site.",
    "Any redness, swelling, discharge or pain at the insertion site is reported to the medical team at once.",
    "Lines that are no longer needed are removed promptly, because every day a line stays in adds to the risk.",
    "Training on this protocol is part of the induction of every nurse who works on the wards named above.",
  ]),
  textPage([
    "Dressing changes",
    "Transparent dressings on central venous catheters are changed every seven days.",
    "Gauze dressings are changed every two days or sooner if damp, loosened or soiled.",
    "Clean the insertion site with chlorhexidine before applying a new dressing.",
  ]),
]);

async function signedIn(browser: Browser, email: string) {
  const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, PASSWORD);
  return { context, page };
}

test.beforeAll(async ({ request }) => {
  const adminKey = createApiKey(e2e.adminEmail);
  await createUser(request, adminKey, nurse, PASSWORD);
  await createUser(request, adminKey, outsider, PASSWORD);
  const group = `Line nurses ${stamp}`;
  await createGroup(request, adminKey, group, [nurse]);
  collectionName = `Nursing protocols ${stamp}`;
  const collectionId = await createCollection(request, adminKey, collectionName);
  await call(request, "POST", `/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { group, access: "read" },
  });
  const file = await uploadText(request, adminKey, collectionId, "central-line-care.pdf", PROTOCOL, "application/pdf");
  pdfDocId = file.documentId;
  await waitForJob(request, adminKey, file.jobId);
});

test("an employee asks with the keyboard, watches the answer stream in, and opens its source at the right page", async ({
  browser,
}) => {
  const { context, page } = await signedIn(browser, nurse);
  const chat = new ChatPage(page);
  await chat.goto();
  await expect(page.getByTestId("collection-option")).toHaveCount(1);
  await expect(page.getByTestId("collection-option")).toHaveAttribute("data-collection", collectionName);

  await chat.ask("How often are transparent dressings on central lines changed?");
  await expect(page.getByTestId("chat-stop")).toBeVisible();
  const answer = await chat.waitForAnswer();
  await expect(answer).toHaveAttribute("data-status", "complete");
  await expect(answer.getByTestId("answer-text")).toContainText("every seven days");
  await expect(answer.getByTestId("answer-model")).toHaveAttribute("data-kind", "extractive");
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("chat-announcement")).toHaveText(/Answer ready with \d+ sources?/);

  // The source list names the document, version and page.
  await expect(answer.getByTestId("source-document-title")).toHaveText(/, version 1$/);
  await expect(answer.getByTestId("source-link").first()).toContainText("page 2");
  await expect(answer.getByTestId("source-link").first()).toHaveAttribute("aria-label", /version 1, page 2/);

  // Keyboard: Tab reaches the citation chip, Enter opens the panel, Escape closes it and returns focus.
  const chip = answer.getByTestId("citation-chip").first();
  await chip.focus();
  await page.keyboard.press("Enter");
  const panel = chat.panel();
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId("citation-passage")).toContainText(
    "Transparent dressings on central venous catheters are changed every seven days.",
  );
  const viewer = panel.getByTestId("citation-open-viewer");
  await expect(viewer).toHaveText("Open the document at page 2");
  expect(await viewer.getAttribute("href")).toMatch(
    new RegExp(`^/documents/${pdfDocId}/view\\?version=[0-9a-f-]{36}&page=2&start=\\d+&end=\\d+$`),
  );
  const href = await panel.getByTestId("citation-open-original").getAttribute("href");
  expect(href).toMatch(new RegExp(`^/api/documents/${pdfDocId}/file\\?version=[0-9a-f-]{36}$`));
  const file = await page.request.get(href!);
  expect(file.status()).toBe(200);
  expect(file.headers()["content-type"]).toBe("application/pdf");
  expect(file.headers()["content-disposition"]).toMatch(/^attachment/);
  await page.keyboard.press("Escape");
  await expect(panel).toBeHidden();
  await expect(chip).toBeFocused();

  // Copy puts the answer and its sources on the clipboard.
  await answer.getByTestId("copy-answer").click();
  await expect(answer.getByTestId("copy-answer")).toHaveText("Copied");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain("every seven days");
  expect(copied).toMatch(/Sources:\n\[1\] .*version 1, page 2/);

  // Thumbs down with a comment is saved and still shown after a reload.
  await answer.getByTestId("feedback-down").click();
  await answer.getByTestId("feedback-comment").fill("Should also mention gauze dressings");
  await answer.getByTestId("feedback-submit").click();
  await expect(answer.getByTestId("feedback-saved")).toBeVisible();
  await page.reload();
  await expect(chat.lastAnswer().getByTestId("feedback-down")).toHaveAttribute("aria-pressed", "true");
  await context.close();
});

test("conversations are listed for their owner, continue with history, and a new chat starts empty", async ({
  browser,
}) => {
  const { context, page } = await signedIn(browser, nurse);
  const chat = new ChatPage(page);
  await chat.goto();
  await expect(chat.conversationLinks().first()).toHaveText(
    "How often are transparent dressings on central lines changed?",
  );
  await chat.conversationLinks().first().click();
  await expect(chat.answers()).toHaveCount(1);
  await chat.ask("And gauze dressings?");
  const second = await chat.waitForAnswer();
  await expect(second.getByTestId("answer-text")).toContainText("every two days");
  await expect(chat.answers()).toHaveCount(2);

  await page.getByTestId("new-chat").click();
  await expect(page.getByTestId("chat-empty")).toBeVisible();
  await expect(page).toHaveURL(/\/chat$/);
  await context.close();
});

test("a question the documents do not cover is answered as such", async ({ browser }) => {
  const { context, page } = await signedIn(browser, nurse);
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.ask("What is on the cafeteria menu on Friday?");
  const answer = await chat.waitForAnswer();
  await expect(answer).toHaveAttribute("data-not-covered", "true");
  await expect(answer).toContainText("The documents you can access do not cover this question.");
  await expect(answer.getByTestId("citation-chip")).toHaveCount(0);
  await context.close();
});

test("someone without access sees no collection, cannot ask, and cannot open another person's conversation", async ({
  browser,
}) => {
  const owner = await signedIn(browser, nurse);
  await new ChatPage(owner.page).goto();
  const href = await owner.page.getByTestId("conversation-link").first().getAttribute("href");
  await owner.context.close();

  const { context, page } = await signedIn(browser, outsider);
  const chat = new ChatPage(page);
  await chat.goto();
  await expect(page.getByTestId("chat-no-collections")).toBeVisible();
  await expect(page.getByTestId("chat-input")).toHaveCount(0);
  const res = await page.goto(href!);
  expect(res!.status()).toBe(404);
  await expect(page.getByText("Central line care")).toHaveCount(0);
  await context.close();
});
