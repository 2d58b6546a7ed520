import { expect, test } from "@playwright/test";
import { LoginPage } from "./pages/login-page";
import { ChatPage } from "./pages/chat-page";
import { CollectionsPage } from "./pages/collections-page";
import { createGroup, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";

// First run: the administrator chooses who may read a collection in the form that creates it,
// and that reader can ask about its documents straight away, with no visit to the Access panel.

const PASSWORD = "first run reader password 3";

test("a collection created with a group chosen as its reader answers that group's member at once", async ({
  browser,
  request,
}) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const adminKey = createApiKey(e2e.adminEmail);
  const reader = uniqueEmail("first-run-reader");
  const outsider = uniqueEmail("first-run-outsider");
  await createUser(request, adminKey, reader, PASSWORD);
  await createUser(request, adminKey, outsider, PASSWORD);
  const group = `Laundry team ${stamp}`;
  await createGroup(request, adminKey, group, [reader]);

  const admin = await browser.newContext();
  const page = await admin.newPage();
  await new LoginPage(page).signIn(e2e.adminEmail, e2e.adminPassword);
  const collections = new CollectionsPage(page);
  await collections.goto();
  const name = `Laundry ${stamp}`;
  const form = page.getByTestId("create-collection-form");
  await form.getByLabel("Name").fill(name);
  await form.getByTestId(`reader-group:${group}`).check();
  await page.getByTestId("create-collection-submit").click();
  await expect(page.getByTestId("collection-heading")).toHaveText(name);
  // The grant is on the collection's page already, as read access for the group.
  const grant = page.getByTestId("grants-table").getByRole("row").filter({ hasText: group });
  await expect(grant.getByTestId("grant-access")).toHaveText("Read");
  const collectionId = new URL(page.url()).pathname.split("/").pop()!;
  await admin.close();

  const doc = await uploadText(
    request,
    adminKey,
    collectionId,
    "laundry.md",
    "# Laundry\n\nTheatre scrubs are washed at seventy-one degrees for three minutes.\n",
  );
  await waitForJob(request, adminKey, doc.jobId);

  const asking = await browser.newContext();
  const readerPage = await asking.newPage();
  await new LoginPage(readerPage).signIn(reader, PASSWORD);
  const chat = new ChatPage(readerPage);
  await chat.goto();
  await expect(readerPage.getByRole("checkbox", { name: new RegExp(`^${name} \\(1\\)$`) })).toBeVisible();
  await chat.ask("At what temperature are theatre scrubs washed?");
  const answer = await chat.waitForAnswer();
  await expect(answer).toHaveAttribute("data-status", "complete");
  await expect(answer.getByTestId("answer-text")).toContainText("seventy-one degrees");
  await expect(answer.getByTestId("citation-chip").first()).toBeVisible();
  await asking.close();

  // Someone outside the group chosen does not see the collection.
  const out = await browser.newContext();
  const outPage = await out.newPage();
  await new LoginPage(outPage).signIn(outsider, PASSWORD);
  await new ChatPage(outPage).goto();
  await expect(outPage.locator(`[data-collection="${name}"]`)).toHaveCount(0);
  await out.close();
});
