import { expect, test } from "@playwright/test";
import { call } from "./support/api";
import { ask, createCollection, createGroup, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";
import { ChatPage } from "./pages/chat-page";
import { LoginPage } from "./pages/login-page";

// Access applies to the past: after a membership is taken away, the conversation reopened in the
// browser and through the API no longer shows the answer drawn from what it opened, only a marker
// saying so, and a follow-up in the same conversation still answers from what stays readable.

test.describe.configure({ mode: "serial" });

const stamp = Date.now();
const PASSWORD = "past access password 1";
const nurse = uniqueEmail("past-nurse");
const DOSE = "Vancomycin troughs are drawn thirty minutes before the fourth dose.";
let adminKey: string;
let nurseKey: string;
let pharmacyGroup: string;
let conversationId: string;
let doseAnswerId: string;

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  adminKey = createApiKey(e2e.adminEmail);
  await createUser(request, adminKey, nurse, PASSWORD);
  const ward = await createCollection(request, adminKey, `Ward handbook ${stamp}`);
  const pharmacy = await createCollection(request, adminKey, `Pharmacy handbook ${stamp}`);
  await createGroup(request, adminKey, `Ward staff ${stamp}`, [nurse]);
  pharmacyGroup = await createGroup(request, adminKey, `Pharmacy staff ${stamp}`, [nurse]);
  for (const [collectionId, group] of [
    [ward, `Ward staff ${stamp}`],
    [pharmacy, `Pharmacy staff ${stamp}`],
  ] as const) {
    await call(request, "POST", `/api/collections/${collectionId}/grants`, {
      key: adminKey,
      data: { group, access: "read" },
    });
  }
  const files = [
    await uploadText(
      request,
      adminKey,
      ward,
      "linen.md",
      "# Linen\n\nBed linen is changed every morning.\n",
      "text/markdown",
    ),
    await uploadText(request, adminKey, pharmacy, "levels.md", `# Antibiotic levels\n\n${DOSE}\n`, "text/markdown"),
  ];
  for (const f of files) await waitForJob(request, adminKey, f.jobId);
  nurseKey = createApiKey(nurse);
  const dose = await ask(request, nurseKey, { message: "When are vancomycin troughs drawn?" });
  expect(dose.final?.answer).toContain("fourth dose");
  conversationId = dose.final!.conversationId;
  doseAnswerId = dose.final!.messageId;
});

test("after leaving the group, the old answer is withheld in the API and the page; a follow-up still answers", async ({
  browser,
  request,
}) => {
  const me = (await call(request, "GET", "/api/me", { key: nurseKey })).json as { id: string };
  const { res } = await call(request, "DELETE", `/api/groups/${pharmacyGroup}/members/${me.id}`, { key: adminKey });
  expect(res.status()).toBe(204);

  const { json } = await call(request, "GET", `/api/conversations/${conversationId}`, { key: nurseKey });
  const messages = (json as { messages: { id: string; content: string; withheld: boolean; citations: unknown[] }[] })
    .messages;
  expect(messages.find((m) => m.id === doseAnswerId)).toMatchObject({ withheld: true, citations: [] });
  expect(JSON.stringify(json)).not.toContain("fourth dose");

  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(nurse, PASSWORD);
  await page.goto(`/chat/${conversationId}`);
  const chat = new ChatPage(page);
  await expect(chat.answers().first().getByTestId("answer-withheld")).toHaveText(
    /drew on documents that are no longer available to you/,
  );
  await expect(page.getByTestId("answer-sources")).toHaveCount(0);
  await expect(page.getByText("fourth dose")).toHaveCount(0);

  // The conversation goes on from what the asker may still read.
  await chat.ask("How often is bed linen changed?");
  const answer = await chat.waitForAnswer();
  await expect(answer).toContainText("every morning");
  await expect(page.getByText("fourth dose")).toHaveCount(0);
  await context.close();
});
