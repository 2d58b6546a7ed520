import { expect, test } from "@playwright/test";
import { call } from "./support/api";
import { createCollection, createGroup, createUser, parseSse, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";
import { ChatPage } from "./pages/chat-page";
import { LoginPage } from "./pages/login-page";

// Answers written by node-llama-cpp on the server started with the stories260K fixture (one
// sequence, no waiting room, up to 1,000 tokens per answer). The fixture cannot answer sensibly,
// so this checks mechanics a person notices: tokens stream, stop stops, a second question meets
// a full queue (429 with Retry-After), and the answer names the exact model file and its hash.

test.describe.configure({ mode: "serial" });

const base = e2e.llamaBaseUrl;
const STORIES_SHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
const PASSWORD = "llama chat password 1";
const nurse = uniqueEmail("llama-nurse");
let nurseKey: string;

test.beforeAll(async ({ request }) => {
  const adminKey = createApiKey(e2e.adminEmail, e2e.llamaDataDir);
  await createUser(request, adminKey, nurse, PASSWORD, ["employee"], base);
  await createGroup(request, adminKey, "Nurses", [nurse], base);
  const collectionId = await createCollection(request, adminKey, "Protocols", base);
  await call(request, "POST", `${base}/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { group: "Nurses", access: "read" },
  });
  const file = await uploadText(
    request,
    adminKey,
    collectionId,
    "hand-hygiene.md",
    "# Hand hygiene\n\nStaff clean their hands before and after every patient contact.\n",
    "text/markdown",
    base,
  );
  await waitForJob(request, adminKey, file.jobId, base);
  nurseKey = createApiKey(nurse, e2e.llamaDataDir);
});

/** Opens a streamed answer and returns once its first token has arrived. */
async function startAnswer(question: string) {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/chat`, {
    method: "POST",
    headers: { authorization: `Bearer ${nurseKey}`, "content-type": "application/json" },
    body: JSON.stringify({ message: question }),
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/event: token/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before a token: ${text}`);
    text += value;
  }
  const meta = parseSse(text.slice(0, text.indexOf("\n\n") + 2))[0]!.data as {
    conversationId: string;
    messageId: string;
  };
  return { abort, meta, reader };
}

test("tokens stream, a second question meets a full queue (429, Retry-After), and closing the stream stops the answer", async ({
  request,
}) => {
  const first = await startAnswer("When do staff clean their hands?");

  const second = await request.post(`${base}/api/chat`, {
    headers: { authorization: `Bearer ${nurseKey}` },
    data: { message: "And gloves?" },
  });
  expect(second.status()).toBe(429);
  expect(Number(second.headers()["retry-after"])).toBeGreaterThanOrEqual(1);
  expect((await second.json()).error).toMatchObject({
    code: "rate_limited",
    message: expect.stringMatching(/queue is full/),
  });

  first.abort.abort();
  await first.reader.cancel().catch((err: Error) => expect(err.name).toBe("AbortError"));
  // The server keeps what was written as a stopped answer, well short of the 1,000-token limit.
  await expect
    .poll(async () => {
      const { json } = await call(request, "GET", `${base}/api/conversations/${first.meta.conversationId}`, {
        key: nurseKey,
      });
      return (json as { messages: { id: string; status: string }[] }).messages.find(
        (m) => m.id === first.meta.messageId,
      )?.status;
    })
    .toBe("stopped");

  // The slot is free again: the next question is answered in full by the model.
  const res = await request.post(`${base}/api/chat`, {
    headers: { authorization: `Bearer ${nurseKey}` },
    data: { message: "When do staff clean their hands?" },
  });
  expect(res.status()).toBe(200);
  const events = parseSse(await res.text());
  expect(events.filter((e) => e.event === "token").length).toBeGreaterThan(20);
  const final = events.find((e) => e.event === "final")!.data as {
    model: Record<string, unknown>;
    finishReason: string;
  };
  expect(final.model).toMatchObject({
    kind: "llama",
    modelFile: "stories260K.gguf",
    modelBytes: 1185376,
    modelSha256: STORIES_SHA256,
    architecture: "llama",
    gpu: null,
    threads: 1,
  });
  expect(final.finishReason).toBe("length");
});

test("in the browser, Stop ends an answer being written and the model that wrote it is named with its hash", async ({
  browser,
}) => {
  const page = await (await browser.newContext({ baseURL: base })).newPage();
  await new LoginPage(page).signIn(nurse, PASSWORD);
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.ask("When do staff clean their hands?");
  await expect(chat.lastAnswer().getByTestId("answer-streaming")).toBeVisible();
  await expect(chat.lastAnswer().getByTestId("answer-text")).not.toHaveText("");
  await page.getByTestId("chat-stop").click();
  await expect(chat.lastAnswer()).toHaveAttribute("data-status", "stopped");
  await expect(chat.lastAnswer().getByTestId("answer-stopped")).toHaveText("You stopped this answer.");
  await expect(page.getByTestId("chat-send")).toBeVisible();

  await chat.ask("When do staff clean their hands?");
  const answer = await chat.waitForAnswer();
  const model = answer.getByTestId("answer-model");
  await expect(model).toHaveAttribute("data-kind", "llama");
  await model.locator("summary").click();
  await expect(model.getByTestId("answer-model-sha")).toHaveText(STORIES_SHA256);
  await expect(model).toContainText("stories260K.gguf");
  await page.context().close();
});
