import { expect, test, type APIRequestContext, type Browser } from "@playwright/test";
import { ChatPage } from "./pages/chat-page";
import { LoginPage } from "./pages/login-page";
import { bearer, call, recordSeen } from "./support/api";
import { ask, createCollection, createGroup, createUser, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";

// Documents over time in the browser, against the production server: asking as of a past date
// cites the old version and says so; the comparison page highlights the changed sentence;
// regenerating and editing keep the earlier answers (in the conversation and the audit trail); a
// version scheduled a few seconds ahead is invisible to a reader and visible to the manager until
// its date; compliance re-asks a recorded question as of then, beside the recorded answer.

// Each test asks up to four questions and waits for them to be answered and stored.
test.describe.configure({ mode: "serial", timeout: 60_000 });

const stamp = Date.now();
const V1 = "# Visitor protocol\n\nVisitors to the cardiac unit may stay until 19:00. They must sign in at the desk.\n";
const V2 = "# Visitor protocol\n\nVisitors to the cardiac unit may stay until 21:00. They must sign in at the desk.\n";
const V3 = "# Visitor protocol\n\nVisitors to the cardiac unit may stay until 23:00. They must sign in at the desk.\n";
const QUESTION = "Until what time may visitors stay on the cardiac unit?";
const reader = { email: uniqueEmail("cardiac-reader"), password: "cardiac reader password 3" };
const auditor = { email: uniqueEmail("cardiac-auditor"), password: "cardiac auditor password 3" };
const collectionName = `Cardiac unit ${stamp}`;
let adminKey: string;
let readerKey: string;
let auditorKey: string;
let collectionId: string;
const versions: string[] = [];
/** The audit record of a question about now, asked while version 2 was in effect. */
let recordedSeq = 0;

async function upload(request: APIRequestContext, text: string, effectiveFrom: string, wait = true) {
  const url = `/api/collections/${collectionId}/documents`;
  const res = await request.post(url, {
    headers: bearer(adminKey),
    multipart: {
      effectiveFrom,
      file: { name: "cardiac-visitors.md", mimeType: "text/markdown", buffer: Buffer.from(text) },
    },
  });
  const body = await res.text();
  recordSeen({ url: `POST ${url}`, status: res.status(), body });
  expect(res.status(), body).toBe(202);
  const file = (JSON.parse(body) as { files: { versionId: string; jobId: string }[] }).files[0]!;
  if (wait) await waitForJob(request, adminKey, file.jobId);
  versions.push(file.versionId);
}

async function signedIn(browser: Browser, email: string, password: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, password);
  return { context, page };
}

async function answeredRecords(request: APIRequestContext) {
  const { json } = await call(
    request,
    "GET",
    `/api/audit/events?type=question.answered&user=${reader.email}&limit=50`,
    {
      key: auditorKey,
    },
  );
  return (json as { events: { seq: number; readable: Record<string, unknown> }[] }).events;
}

test.beforeAll(async ({ request }) => {
  // Two API keys through the CLI and two documents through the ingestion queue of a server that
  // may be answering its first upload (parser workers and the embedder start then).
  test.setTimeout(180_000);
  adminKey = createApiKey(e2e.adminEmail);
  collectionId = await createCollection(request, adminKey, collectionName);
  await createUser(request, adminKey, reader.email, reader.password);
  await createUser(request, adminKey, auditor.email, auditor.password, ["compliance"]);
  await createGroup(request, adminKey, `Cardiac readers ${stamp}`, [reader.email]);
  await call(request, "POST", `/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { group: `Cardiac readers ${stamp}`, access: "read" },
  });
  readerKey = createApiKey(reader.email);
  auditorKey = createApiKey(auditor.email);
  await upload(request, V1, "2025-01-01");
  await upload(request, V2, "2026-03-01");
});

test("asked as of a past date, the answer cites the old version, says so, and links to what changed", async ({
  browser,
}) => {
  const { context, page } = await signedIn(browser, reader.email, reader.password);
  const chat = new ChatPage(page);
  await chat.goto();
  await page.getByTestId("chat-as-of").fill("2025-06-01");
  await expect(page.getByTestId("chat-as-of-banner")).toContainText("as of 2025-06-01");
  await chat.ask(QUESTION);
  const answer = await chat.waitForAnswer();
  await expect(answer.getByTestId("answer-as-of")).toHaveText(/Answered as of 2025-06-01/);
  await expect(answer).toContainText("19:00");
  await expect(answer).not.toContainText("21:00");
  await expect(answer).toContainText("version 1, in effect 2025-01-01 to 2026-02-28");
  await expect(answer.getByTestId("source-document-title")).toHaveText(/version 1/);

  // The conversation keeps its date: reopened, the picker still says 2025-06-01.
  await page.reload();
  await expect(page.getByTestId("chat-as-of")).toHaveValue("2025-06-01");

  await chat.lastAnswer().getByTestId("source-changes").click();
  await expect(page.getByTestId("changes-title")).toContainText("cardiac-visitors");
  await expect(page.getByTestId("changes-versions")).toContainText("version 1, in effect 2025-01-01 to 2026-02-28");
  const section = page.getByTestId("change-section");
  await expect(section).toHaveAttribute("data-change", "changed");
  await expect(section.getByTestId("change-removed")).toContainText("19:00");
  await expect(section.getByTestId("change-added")).toContainText("21:00");
  // The unchanged sentence is not highlighted.
  await expect(section.getByTestId("change-added")).not.toContainText("sign in");
  await context.close();
});

test("regenerating and editing keep the earlier answers, in the conversation and in the audit trail", async ({
  browser,
  request,
}) => {
  const { context, page } = await signedIn(browser, reader.email, reader.password);
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.ask(QUESTION);
  await chat.waitForAnswer();
  await chat.lastAnswer().getByTestId("regenerate-answer").click();
  await expect(chat.lastAnswer().getByTestId("earlier-answers")).toContainText("Earlier answer (1)");
  await chat.waitForAnswer();
  await expect(chat.answers()).toHaveCount(1);

  const question = page.locator('[data-testid="chat-message"][data-role="user"]').last();
  await question.getByTestId("edit-question").click();
  await page.getByTestId("edit-question-input").fill("Must visitors to the cardiac unit sign in at the desk?");
  await page.getByTestId("edit-question-save").click();
  await chat.waitForAnswer();
  await expect(chat.lastAnswer()).toContainText("sign in");

  // Reopened, the conversation shows the latest of each and keeps the earlier ones.
  await page.reload();
  await expect(chat.answers()).toHaveCount(1);
  const shown = page.locator('[data-testid="chat-message"][data-role="user"]');
  await expect(shown).toHaveCount(1);
  await expect(shown.getByTestId("earlier-questions")).toContainText("earlier wording (1)");
  await shown.getByTestId("earlier-questions").locator("summary").click();
  await expect(shown.getByTestId("earlier-question")).toContainText(QUESTION);
  await chat.lastAnswer().getByTestId("earlier-answers").locator("summary").click();
  // The first answer and the regenerated one, both replaced by the answer to the edited question.
  await expect(chat.lastAnswer().getByTestId("earlier-answer")).toHaveCount(2);
  const conversationId = new URL(page.url()).pathname.split("/").pop();
  await context.close();

  const records = (await answeredRecords(request)).filter((e) => e.readable.conversationId === conversationId);
  // The first answer, the regenerated one and the answer to the edited question: all three kept.
  expect(records).toHaveLength(3);
  expect(records.map((r) => (r.readable.revision as { kind?: string } | undefined)?.kind ?? "first").sort()).toEqual([
    "edit",
    "first",
    "regenerate",
  ]);
});

test("a version scheduled a few seconds ahead is invisible to the reader and shown to the manager until its date", async ({
  browser,
  request,
}) => {
  const now = await ask(request, readerKey, { message: QUESTION, collectionIds: [collectionId] });
  expect(now.final!.answer).toContain("21:00");
  recordedSeq = (await answeredRecords(request)).find((e) => e.readable.messageId === now.final!.messageId)!.seq;

  // Far enough ahead for the upload, its ingestion and two sign-ins on a busy machine.
  test.setTimeout(120_000);
  const at = new Date(Date.now() + 40_000);
  await upload(request, V3, at.toISOString());
  const admin = await signedIn(browser, e2e.adminEmail, e2e.adminPassword);
  const readerPage = await signedIn(browser, reader.email, reader.password);
  await admin.page.goto(`/collections/${collectionId}`);
  await expect(admin.page.getByTestId("doc-effective")).toContainText("Scheduled: takes effect");
  await expect(admin.page.getByTestId("doc-version")).toHaveText("3");
  await readerPage.page.goto(`/collections/${collectionId}`);
  await expect(readerPage.page.getByTestId("doc-version")).toHaveText("2");
  await expect(readerPage.page.getByTestId("documents-table")).not.toContainText("Scheduled");

  const chat = new ChatPage(readerPage.page);
  await chat.goto();
  await chat.ask(QUESTION);
  await expect(await chat.waitForAnswer()).toContainText("21:00");

  await new Promise((r) => setTimeout(r, Math.max(0, at.getTime() - Date.now()) + 500));
  await readerPage.page.goto(`/collections/${collectionId}`);
  await expect(readerPage.page.getByTestId("doc-version")).toHaveText("3");
  await chat.goto();
  await chat.ask(QUESTION);
  await expect(await chat.waitForAnswer()).toContainText("23:00");
  await admin.context.close();
  await readerPage.context.close();
});

test("compliance re-asks a recorded question as of then and sees the new answer beside the recorded one", async ({
  browser,
  request,
}) => {
  const { context, page } = await signedIn(browser, auditor.email, auditor.password);
  await page.goto(`/compliance/events/${recordedSeq}`);
  await page.getByTestId("reask-button").click();
  const compare = page.getByTestId("reask-compare");
  await expect(compare.getByTestId("reask-recorded")).toContainText("21:00");
  // Version 3 is in effect now, but the question was asked while version 2 was.
  await expect(compare.getByTestId("reask-answer")).toContainText("21:00");
  await expect(compare.getByTestId("reask-versions")).toContainText("version 2");
  await expect(compare.getByTestId("reask-versions")).not.toContainText("version 3");
  await context.close();

  // On the record under the reviewer's name, and nothing new in the asker's conversations.
  const { json } = await call(request, "GET", "/api/audit/events?type=question.reasked&limit=5", { key: auditorKey });
  const reask = (json as { events: { actorEmail: string; readable: Record<string, unknown> }[] }).events[0]!;
  expect(reask.actorEmail).toBe(auditor.email);
  expect(reask.readable).toMatchObject({ originalSeq: recordedSeq, asker: { email: reader.email } });
  const records = await answeredRecords(request);
  expect(records.some((r) => r.readable.originalSeq !== undefined)).toBe(false);
});

test("the comparison page compares any two versions the reader may open, picked from the page", async ({ browser }) => {
  const { context, page } = await signedIn(browser, reader.email, reader.password);
  const documentId = await page.evaluate(async (id) => {
    const res = await fetch(`/api/collections/${id}/documents`);
    const body = (await res.json()) as { documents: { id: string }[] };
    return body.documents[0]!.id;
  }, collectionId);
  await page.goto(`/documents/${documentId}/changes`);
  // The default compares the version in effect (3) with the one before it.
  await expect(page.getByTestId("changes-versions")).toContainText("From version 2");
  await page.getByLabel("Compare", { exact: true }).selectOption({ label: "Version 1 (from 2025-01-01)" });
  await page.getByRole("button", { name: "Compare" }).click();
  await expect(page.getByTestId("changes-versions")).toContainText(
    "From version 1, in effect 2025-01-01 to 2026-02-28",
  );
  await expect(page.getByTestId("changes-versions")).toContainText("to version 3");
  await expect(page.getByTestId("changes").getByText("23:00")).toBeVisible();
  // The same version on both sides is refused with the reason, not a blank page.
  await page.getByLabel("with", { exact: true }).selectOption({ label: "Version 1 (from 2025-01-01)" });
  await page.getByRole("button", { name: "Compare" }).click();
  await expect(page.getByTestId("changes-none")).toContainText("from and to name the same version.");
  await context.close();
});
