import { expect, test } from "@playwright/test";
import { call } from "./support/api";
import { createCollection, createGroup, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";
import { LoginPage } from "./pages/login-page";

// Per-collection evaluation as a manager uses it: golden questions kept in the browser, a run
// scored through the served search and answers, the result on the collection's page and the
// admin overview; readers of the collection are kept out of all of it.

test.describe.configure({ mode: "serial" });

const name = `Evaluated ward ${Date.now()}`;
let adminKey: string;
let readerKey: string;
let collectionId: string;

test.beforeAll(async ({ request }) => {
  // Two CLI runs and two ingestion jobs: more than one test's worth of time.
  test.setTimeout(60_000);
  adminKey = createApiKey(e2e.adminEmail);
  collectionId = await createCollection(request, adminKey, name);
  for (const [file, text] of [
    [
      "hand-hygiene.md",
      "# Hand hygiene\n\nStaff must perform hand hygiene before touching a patient and after touching patient surroundings.\n",
    ],
    [
      "falls.md",
      "# Falls prevention\n\nEvery patient over 65 gets a falls risk assessment within six hours of admission.\n",
    ],
  ] as const) {
    const { jobId } = await uploadText(request, adminKey, collectionId, file, text);
    await waitForJob(request, adminKey, jobId);
  }
  const readerEmail = uniqueEmail("eval-reader");
  await createUser(request, adminKey, readerEmail, "correct horse battery staple 9");
  const group = `eval readers ${Date.now()}`;
  await createGroup(request, adminKey, group, [readerEmail]);
  const { res } = await call(request, "POST", `/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { group, access: "read" },
  });
  expect(res.status()).toBe(201);
  readerKey = createApiKey(readerEmail);
});

test("a manager keeps golden questions, runs them and sees the scores beside the run before", async ({ page }) => {
  await new LoginPage(page).signIn(e2e.adminEmail, e2e.adminPassword);
  await page.goto(`/collections/${collectionId}`);
  await page.getByTestId("collection-evaluation-link").click();
  await expect(page.getByTestId("eval-heading")).toHaveText(`Evaluation of ${name}`);
  await expect(page.getByTestId("eval-run")).toBeDisabled();

  // A question with no document is refused, and what was typed stays.
  await page.getByTestId("eval-question").fill("When must staff perform hand hygiene?");
  await page.getByTestId("eval-add-submit").click();
  await expect(page.getByText("expected names no document")).toBeVisible();
  await expect(page.getByTestId("eval-question")).toHaveValue("When must staff perform hand hygiene?");

  await page.getByTestId("eval-doc-hand-hygiene.md").check();
  await page.getByTestId("eval-add-submit").click();
  await expect(page.getByTestId("eval-add-success")).toHaveText("Added “When must staff perform hand hygiene?”.");
  await expect(page.getByTestId("eval-case-row")).toHaveCount(1);

  await page.getByTestId("eval-run").click();
  await expect(page.getByTestId("eval-run-success")).toHaveText(/Scored 1 question\(s\): recall@5 1\.00, passed\./);
  const row = page.getByTestId("eval-run-row").first();
  await expect(row).toContainText("Passed");
  await expect(row).toContainText("extractive");

  // A stricter pass mark and a question the index cannot answer: the next run is flagged.
  await page.getByTestId("eval-min-recall").fill("0.9");
  await page.getByTestId("eval-min-recall-submit").click();
  await page.getByTestId("eval-question").fill("When is the falls risk assessment done?");
  await page.getByTestId("eval-doc-hand-hygiene.md").check();
  await page.getByTestId("eval-phrases").fill("a phrase that appears nowhere");
  await page.getByTestId("eval-add-submit").click();
  await expect(page.getByTestId("eval-case-row")).toHaveCount(2);
  await page.getByTestId("eval-run").click();
  await expect(page.getByTestId("eval-run-success")).toHaveText(/recall@5 0\.50, below the pass mark\./);
  await expect(page.getByTestId("eval-run-row")).toHaveCount(2);
  await expect(page.getByTestId("eval-run-row").first()).toContainText("Below 0.90");
  await expect(page.getByTestId("eval-run-row").first()).toContainText("(−0.50)");

  await page.goto("/admin");
  await expect(page.getByTestId("overview-evaluation-warning")).toBeVisible();
  await expect(page.getByTestId(`overview-evaluation-${name}`)).toContainText("below the pass mark");
});

test("the evaluation API: managers only, clear errors, nothing changed by a refused call", async ({ request }) => {
  const base = `/api/collections/${collectionId}/evaluations`;
  const view = await call(request, "GET", base, { key: adminKey });
  expect(view.res.status()).toBe(200);
  const body = view.json as { cases: { id: string }[]; minRecall: number; runs: unknown[]; documents: string[] };
  expect(body.cases).toHaveLength(2);
  expect(body.minRecall).toBe(0.9);
  expect(body.documents).toEqual(["falls.md", "hand-hygiene.md"]);

  const bad = await call(request, "POST", base, { key: adminKey, data: { question: "x?", expected: ["nope.md"] } });
  expect(bad.res.status()).toBe(400);
  expect(JSON.stringify(bad.json)).toContain('has no document named \\"nope.md\\"');

  for (const [method, url, data] of [
    ["GET", base, undefined],
    ["POST", base, { question: "x?", expected: ["falls.md"] }],
    ["PATCH", base, { minRecall: 0 }],
    ["DELETE", `${base}/${body.cases[0]!.id}`, undefined],
    ["POST", `${base}/runs`, undefined],
  ] as const) {
    const asReader = await call(request, method, url, { key: readerKey, data });
    expect(asReader.res.status(), `${method} ${url} as a reader`).toBe(403);
    const anonymous = await call(request, method, url, { data });
    expect(anonymous.res.status(), `${method} ${url} anonymously`).toBe(401);
  }
  const after = (await call(request, "GET", base, { key: adminKey })).json as { cases: unknown[]; minRecall: number };
  expect(after.cases).toHaveLength(2);
  expect(after.minRecall).toBe(0.9);

  const patched = await call(request, "PATCH", base, { key: adminKey, data: { minRecall: 0.5 } });
  expect(patched.json).toEqual({ minRecall: 0.5 });
  const run = await call(request, "POST", `${base}/runs`, { key: adminKey });
  expect(run.res.status()).toBe(201);
  expect(run.json).toMatchObject({ passed: true, totals: { questions: 2, recallAt5: 0.5 } });
  const removed = await call(request, "DELETE", `${base}/${body.cases[1]!.id}`, { key: adminKey });
  expect(removed.res.status()).toBe(204);
  const again = await call(request, "DELETE", `${base}/${body.cases[1]!.id}`, { key: adminKey });
  expect(again.res.status()).toBe(404);
});
