import { expect, test } from "@playwright/test";
import { call, recordSeen, bearer } from "./support/api";
import { ask, createCollection, createGroup, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";

// Asking over the HTTP API against the production server: streamed, cited answers from what the
// asker may read, and nothing of what they may not: not in retrieval, tokens, citations, the
// stored conversation, passages or downloads. Each secret below is checked for in the raw bytes.

test.describe.configure({ mode: "serial" });

const stamp = Date.now();
const HAND_HYGIENE = `# Hand hygiene protocol

## When to clean hands
Staff must perform hand hygiene before touching a patient, before a clean or aseptic procedure, after body fluid exposure risk, after touching a patient and after touching patient surroundings.

## How to clean hands
Use an alcohol-based hand rub for 20 to 30 seconds when hands are not visibly soiled. Wash with soap and water for 40 to 60 seconds when hands are visibly soiled or after caring for a patient with Clostridioides difficile.
`;
const PHARMACY_SECRET = "ZEBRA-4471";
const CONTROLLED_DRUGS = `# Controlled drugs cabinet

The controlled drugs cabinet on each ward is opened with a keypad. The keypad combination for the controlled drugs cabinet is ${PHARMACY_SECRET}. Only registered nurses from the pharmacy group may open the controlled drugs cabinet.
`;
const FINANCE_SECRET = "4.2 million pounds";
const BUDGET = `# Cardiology budget 2027

The cardiology budget for 2027 is ${FINANCE_SECRET}, approved by the finance committee. Cardiology budget overruns must be reported monthly.
`;

let adminKey: string;
let nurseKey: string;
let pharmacistKey: string;
let outsiderKey: string;
let wardId: string;
let financeId: string;
let handDocId: string;
let drugsDocId: string;
let conversationId: string;
let answerId: string;

test.beforeAll(async ({ request }) => {
  adminKey = createApiKey(e2e.adminEmail);
  const nurse = uniqueEmail("nurse");
  const pharmacist = uniqueEmail("pharmacist");
  const outsider = uniqueEmail("outsider");
  for (const email of [nurse, pharmacist, outsider]) await createUser(request, adminKey, email, "ward password 12");
  const nurses = `Nurses ${stamp}`;
  const pharmacy = `Pharmacy ${stamp}`;
  await createGroup(request, adminKey, nurses, [nurse, pharmacist]);
  await createGroup(request, adminKey, pharmacy, [pharmacist]);
  await createGroup(request, adminKey, `Finance ${stamp}`, []);

  wardId = await createCollection(request, adminKey, `Ward protocols ${stamp}`);
  financeId = await createCollection(request, adminKey, `Finance ${stamp}`);
  await call(request, "POST", `/api/collections/${wardId}/grants`, {
    key: adminKey,
    data: { group: nurses, access: "read" },
  });
  await call(request, "POST", `/api/collections/${financeId}/grants`, {
    key: adminKey,
    data: { group: `Finance ${stamp}`, access: "read" },
  });
  // The administrator manages both but reads neither: grant reading the finance collection to nobody they hold.

  const hand = await uploadText(request, adminKey, wardId, "hand-hygiene.md", HAND_HYGIENE);
  const drugs = await uploadText(request, adminKey, wardId, "controlled-drugs.md", CONTROLLED_DRUGS);
  const budget = await uploadText(request, adminKey, financeId, "budget.md", BUDGET);
  handDocId = hand.documentId;
  drugsDocId = drugs.documentId;
  await call(request, "PATCH", `/api/documents/${drugsDocId}`, { key: adminKey, data: { restrictedTo: [pharmacy] } });
  for (const f of [hand, drugs, budget]) await waitForJob(request, adminKey, f.jobId);

  nurseKey = createApiKey(nurse);
  pharmacistKey = createApiKey(pharmacist);
  outsiderKey = createApiKey(outsider);
});

test("streams a cited answer: meta, tokens, then a final event with citations, model and retrieved chunks", async ({
  request,
}) => {
  const r = await ask(request, nurseKey, { message: "When must staff perform hand hygiene?" });
  expect(r.status).toBe(200);
  expect(r.headers["content-type"]).toContain("text/event-stream");
  const names = r.events.map((e) => e.event);
  expect(names[0]).toBe("meta");
  expect(names.filter((n) => n === "token").length).toBeGreaterThan(1);
  expect(names.at(-1)).toBe("final");
  expect(names.indexOf("final")).toBeGreaterThan(names.lastIndexOf("token"));

  const f = r.final!;
  expect(f.status).toBe("complete");
  expect(f.notCovered).toBe(false);
  expect(f.citations.length).toBeGreaterThan(0);
  expect(f.citations[0]!.documentId).toBe(handDocId);
  expect(f.citations[0]!.versionNumber).toBe(1);
  expect(f.citations[0]!.versionSha256).toMatch(/^[0-9a-f]{64}$/);
  expect(f.citations[0]!.headingPath).toContain("Hand hygiene protocol");
  expect(f.answer).toMatch(/\[1\]/);
  expect(f.answer).toContain("before touching a patient");
  expect(f.model.kind).toBe("extractive");
  expect(f.model.embedderId).toMatch(/^use-lite/);
  expect(f.retrievedChunkIds.length).toBeGreaterThan(0);
  // The streamed tokens and the final answer tell the same story.
  const streamed = r.events
    .filter((e) => e.event === "token")
    .map((e) => (e.data as { text: string }).text)
    .join("");
  expect(streamed).toContain("before touching a patient");

  conversationId = f.conversationId;
  answerId = f.messageId;
  const stored = await call(request, "GET", `/api/conversations/${conversationId}`, { key: nurseKey });
  expect(stored.res.status()).toBe(200);
  const messages = (stored.json as { messages: { role: string; content: string; citations: unknown[] }[] }).messages;
  expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  expect(messages[1]!.content).toBe(f.answer);
  expect(messages[1]!.citations).toHaveLength(f.citations.length);
});

test("a follow-up in the same conversation keeps its history and stays in the conversation list", async ({
  request,
}) => {
  const r = await ask(request, nurseKey, {
    message: "How long should an alcohol-based hand rub take?",
    conversationId,
  });
  expect(r.final!.conversationId).toBe(conversationId);
  expect(r.final!.answer).toMatch(/20 to 30 seconds/);
  const list = await call(request, "GET", "/api/conversations", { key: nurseKey });
  const conversations = (list.json as { conversations: { id: string; title: string }[] }).conversations;
  expect(conversations[0]).toMatchObject({ id: conversationId, title: "When must staff perform hand hygiene?" });
});

test("never returns text the asker may not read: not a restricted document of a readable collection, not another collection", async ({
  request,
}) => {
  for (const message of [
    `What is the keypad combination for the controlled drugs cabinet? ${PHARMACY_SECRET}`,
    "Who may open the controlled drugs cabinet?",
    `What is the cardiology budget for 2027? ${FINANCE_SECRET}`,
  ]) {
    const r = await ask(request, nurseKey, { message });
    expect(r.status).toBe(200);
    // The question itself is echoed nowhere but the meta title; strip it before searching.
    const body = r.body.replaceAll(JSON.stringify(message).slice(1, -1), "");
    expect(body).not.toContain(PHARMACY_SECRET);
    expect(body).not.toContain(FINANCE_SECRET);
    expect(body).not.toContain("keypad combination");
    expect(body).not.toContain("finance committee");
    for (const c of r.final!.citations) expect([handDocId]).toContain(c.documentId);
  }
  // Nor in the stored history.
  const list = await call(request, "GET", "/api/conversations", { key: nurseKey });
  for (const c of (list.json as { conversations: { id: string }[] }).conversations) {
    const { json } = await call(request, "GET", `/api/conversations/${c.id}`, { key: nurseKey });
    const messages = (json as { messages: { role: string; content: string; citations: unknown }[] }).messages.filter(
      (m) => m.role === "assistant",
    );
    const text = JSON.stringify(messages);
    expect(text).not.toContain(PHARMACY_SECRET);
    expect(text).not.toContain(FINANCE_SECRET);
  }
});

test("a member of the restricting group gets the restricted passage (the leak checks above can fail)", async ({
  request,
}) => {
  const r = await ask(request, pharmacistKey, {
    message: "What is the keypad combination for the controlled drugs cabinet?",
  });
  expect(r.final!.citations.map((c) => c.documentId)).toContain(drugsDocId);
  expect(r.final!.answer).toContain(PHARMACY_SECRET);
});

test("downloads and passages of a restricted document answer 404 to readers outside its group", async ({ request }) => {
  const nurseAnswer = await ask(request, pharmacistKey, {
    message: "What is the keypad combination for the controlled drugs cabinet?",
  });
  const cited = nurseAnswer.final!.citations.find((c) => c.documentId === drugsDocId)!;
  const passageUrl = `/api/documents/${drugsDocId}/passage?version=${cited.versionId}&start=${cited.charStart}&end=${cited.charEnd}`;
  const asPharmacist = await call(request, "GET", passageUrl, { key: pharmacistKey });
  expect(asPharmacist.res.status()).toBe(200);
  expect((asPharmacist.json as { passage: string }).passage).toBe(cited.text);

  const asNurse = await call(request, "GET", passageUrl, { key: nurseKey });
  expect(asNurse.res.status()).toBe(404);
  expect(JSON.stringify(asNurse.json)).not.toContain(PHARMACY_SECRET);
  const file = await request.get(`/api/documents/${drugsDocId}/file`, { headers: bearer(nurseKey) });
  recordSeen({ url: `GET /api/documents/${drugsDocId}/file`, status: file.status(), body: await file.text() });
  expect(file.status()).toBe(404);
});

test("a cited passage can be opened with its surroundings; a forged range is refused with the reason", async ({
  request,
}) => {
  const r = await ask(request, nurseKey, { message: "When must staff perform hand hygiene?" });
  const c = r.final!.citations[0]!;
  const ok = await call(
    request,
    "GET",
    `/api/documents/${c.documentId}/passage?version=${c.versionId}&start=${c.charStart}&end=${c.charEnd}`,
    { key: nurseKey },
  );
  expect(ok.res.status()).toBe(200);
  const view = ok.json as { passage: string; current: boolean; versionNumber: number; title: string };
  expect(view.passage).toBe(c.text);
  expect(view.current).toBe(true);
  const bad = await call(
    request,
    "GET",
    `/api/documents/${c.documentId}/passage?version=${c.versionId}&start=0&end=99999999`,
    { key: nurseKey },
  );
  expect(bad.res.status()).toBe(400);
  expect((bad.json as { error: { message: string } }).error.message).toMatch(/is not inside this version/);
});

test("choosing collections can narrow what is searched but never widen it", async ({ request }) => {
  const narrowed = await ask(request, nurseKey, {
    message: "When must staff perform hand hygiene?",
    collectionIds: [wardId],
  });
  expect(narrowed.final!.citations[0]!.documentId).toBe(handDocId);
  const widened = await ask(request, nurseKey, {
    message: "What is the cardiology budget?",
    collectionIds: [financeId],
  });
  expect(widened.status).toBe(404);
  expect(widened.error).toEqual({ code: "not_found", message: "No collection with this id." });
  expect(widened.body).not.toContain(FINANCE_SECRET);
});

test("a question the documents do not cover says so, without citations", async ({ request }) => {
  const r = await ask(request, nurseKey, { message: "Who won the football world cup in 1998?" });
  expect(r.final).toMatchObject({
    notCovered: true,
    citations: [],
    answer: "The documents you can access do not cover this question.",
  });
});

test("someone without any grant is told so; other people's conversations and answers are not found", async ({
  request,
}) => {
  const r = await ask(request, outsiderKey, { message: "When must staff perform hand hygiene?" });
  expect(r.status).toBe(403);
  expect(r.error!.message).toMatch(/cannot read any document collection/);
  expect(r.body).not.toContain("before touching a patient");

  for (const key of [outsiderKey, pharmacistKey]) {
    expect((await call(request, "GET", `/api/conversations/${conversationId}`, { key })).res.status()).toBe(404);
    expect(
      (
        await call(request, "PATCH", `/api/conversations/${conversationId}`, { key, data: { title: "mine now" } })
      ).res.status(),
    ).toBe(404);
    expect((await call(request, "DELETE", `/api/conversations/${conversationId}`, { key })).res.status()).toBe(404);
    expect(
      (await call(request, "POST", `/api/messages/${answerId}/feedback`, { key, data: { rating: 1 } })).res.status(),
    ).toBe(404);
    const list = await call(request, "GET", "/api/conversations", { key });
    expect(JSON.stringify(list.json)).not.toContain(conversationId);
  }
  const hijack = await ask(request, pharmacistKey, { message: "And then?", conversationId });
  expect(hijack.status).toBe(404);
});

test("feedback is saved on one's own answers and bad input is refused with the reason", async ({ request }) => {
  const ok = await call(request, "POST", `/api/messages/${answerId}/feedback`, {
    key: nurseKey,
    data: { rating: -1, comment: "Missed the glove rule" },
  });
  expect(ok.res.status()).toBe(200);
  const bad = await call(request, "POST", `/api/messages/${answerId}/feedback`, { key: nurseKey, data: { rating: 5 } });
  expect(bad.res.status()).toBe(400);
  expect((bad.json as { error: { message: string } }).error.message).toMatch(/rating must be 1/);
  const { json } = await call(request, "GET", `/api/conversations/${conversationId}`, { key: nurseKey });
  const answer = (json as { messages: { id: string; feedback: unknown }[] }).messages.find((m) => m.id === answerId)!;
  // A thumbs down without a reason is feedback only: it sends nothing to the review queue.
  expect(answer.feedback).toEqual({ rating: -1, comment: "Missed the glove rule", reason: null });
  expect(ok.json).toMatchObject({ reason: null, inReview: false });
  const withReasonUp = await call(request, "POST", `/api/messages/${answerId}/feedback`, {
    key: nurseKey,
    data: { rating: 1, reason: "incorrect" },
  });
  expect(withReasonUp.res.status()).toBe(400);
  expect((withReasonUp.json as { error: { message: string } }).error.message).toMatch(
    /a reason goes with a thumbs down/,
  );
  const otherWithoutWords = await call(request, "POST", `/api/messages/${answerId}/feedback`, {
    key: nurseKey,
    data: { rating: -1, reason: "other" },
  });
  expect(otherWithoutWords.res.status()).toBe(400);
  expect((otherWithoutWords.json as { error: { message: string } }).error.message).toMatch(/say what was wrong/);
});

test("malformed questions are refused with a message naming the problem", async ({ request }) => {
  expect((await ask(request, nurseKey, { message: "   " })).error!.message).toMatch(/message must not be empty/);
  expect((await ask(request, nurseKey, { message: "x".repeat(4001) })).error!.message).toMatch(
    /at most 4000 characters/,
  );
  const notJson = await request.post("/api/chat", {
    headers: { ...bearer(nurseKey), "content-type": "text/plain" },
    data: "hello",
  });
  recordSeen({ url: "POST /api/chat", status: notJson.status(), body: await notJson.text() });
  expect(notJson.status()).toBe(415);
  const badConversation = await ask(request, nurseKey, { message: "hi", conversationId: "not-a-uuid" });
  expect(badConversation.status).toBe(400);
});

test("conversations can be renamed and deleted by their owner", async ({ request }) => {
  const renamed = await call(request, "PATCH", `/api/conversations/${conversationId}`, {
    key: nurseKey,
    data: { title: "Hand hygiene" },
  });
  expect(renamed.json).toEqual({ id: conversationId, title: "Hand hygiene" });
  expect((await call(request, "DELETE", `/api/conversations/${conversationId}`, { key: nurseKey })).res.status()).toBe(
    204,
  );
  expect((await call(request, "GET", `/api/conversations/${conversationId}`, { key: nurseKey })).res.status()).toBe(
    404,
  );
});
