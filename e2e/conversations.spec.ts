import { expect, test } from "@playwright/test";
import { call } from "./support/api";
import { ask, createCollection, createGroup, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";
import { ChatPage } from "./pages/chat-page";
import { LoginPage } from "./pages/login-page";

// Finding a conversation again: the sidebar searches titles and everything said in them, a
// conversation can be renamed and deleted, and GET /api/conversations?q= answers the same,
// for the owner only.

test.describe.configure({ mode: "serial" });

const stamp = Date.now();
const PASSWORD = "conversation search password 1";
const owner = uniqueEmail("conv-owner");
const other = uniqueEmail("conv-other");
let ownerKey: string;
let otherKey: string;
let oldId: string;

test.beforeAll(async ({ request }) => {
  // API keys come from the CLI, and the first upload to a fresh server loads the embedder.
  test.setTimeout(120_000);
  const adminKey = createApiKey(e2e.adminEmail);
  await createUser(request, adminKey, owner, PASSWORD);
  await createUser(request, adminKey, other, PASSWORD);
  const collectionId = await createCollection(request, adminKey, `Kitchen rules ${stamp}`);
  await createGroup(request, adminKey, `Kitchen staff ${stamp}`, [owner, other]);
  await call(request, "POST", `/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { group: `Kitchen staff ${stamp}`, access: "read" },
  });
  const file = await uploadText(
    request,
    adminKey,
    collectionId,
    "kitchen.md",
    "# Kitchen\n\nThe walk-in refrigerator is defrosted every fortnight by the night porter.\n\n" +
      "# Deliveries\n\nBread deliveries arrive at the loading bay before six in the morning.\n",
    "text/markdown",
  );
  await waitForJob(request, adminKey, file.jobId);
  ownerKey = createApiKey(owner);
  otherKey = createApiKey(other);
  // The old conversation: its title does not say what the answer does ("fortnight").
  const first = await ask(request, ownerKey, { message: "Who looks after the walk-in refrigerator?" });
  expect(first.final?.answer).toContain("fortnight");
  oldId = first.final!.conversationId;
  await ask(request, ownerKey, { message: "When do bread deliveries arrive?" });
});

test("search finds an old conversation by a word in its answer; it can be renamed and deleted", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(owner, PASSWORD);
  const chat = new ChatPage(page);
  await chat.goto();
  await expect(chat.conversationLinks()).toHaveCount(2);

  await page.getByTestId("conversation-search").fill("FORTNIGHT");
  await expect(chat.conversationLinks()).toHaveCount(1);
  await expect(chat.conversationLinks()).toHaveText("Who looks after the walk-in refrigerator?");
  await page.getByTestId("conversation-search").fill("no such word anywhere");
  await expect(page.getByTestId("conversation-none")).toHaveText("No conversation mentions this.");
  await page.getByTestId("conversation-search").fill("fortnight");

  await page.getByTestId("conversation-rename").click();
  await page.getByTestId("conversation-rename-input").fill("Defrosting");
  await page.getByTestId("conversation-rename-input").press("Enter");
  await expect(chat.conversationLinks()).toHaveText("Defrosting");
  await page.reload();
  await expect(chat.conversationLinks().filter({ hasText: "Defrosting" })).toHaveCount(1);

  // Another user finds nothing of it and can change nothing.
  const theirs = await call(page.request, "GET", "/api/conversations?q=fortnight", { key: otherKey });
  expect(theirs.res.status()).toBe(200);
  expect(theirs.json).toEqual({ conversations: [], nextCursor: null });
  const rename = await call(page.request, "PATCH", `/api/conversations/${oldId}`, {
    key: otherKey,
    data: { title: "Mine now" },
  });
  expect(rename.res.status()).toBe(404);
  const remove = await call(page.request, "DELETE", `/api/conversations/${oldId}`, { key: otherKey });
  expect(remove.res.status()).toBe(404);
  const mine = await call(page.request, "GET", "/api/conversations?q=fortnight", { key: ownerKey });
  expect((mine.json as { conversations: { id: string; title: string }[] }).conversations).toEqual([
    expect.objectContaining({ id: oldId, title: "Defrosting" }),
  ]);
  const bad = await call(page.request, "GET", "/api/conversations?cursor=forged&limit=0", { key: ownerKey });
  expect(bad.res.status()).toBe(400);
  expect(JSON.stringify(bad.json)).toContain("limit");

  page.once("dialog", (d) => d.accept());
  await chat
    .conversationLinks()
    .filter({ hasText: "Defrosting" })
    .locator("..")
    .getByTestId("conversation-delete")
    .click();
  await expect(chat.conversationLinks().filter({ hasText: "Defrosting" })).toHaveCount(0);
  const gone = await call(page.request, "GET", `/api/conversations/${oldId}`, { key: ownerKey });
  expect(gone.res.status()).toBe(404);
  await context.close();
});
