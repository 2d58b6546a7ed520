import { expect, test } from "@playwright/test";
import { pdfBomb, pngBomb } from "../ingest/fixtures/make-hostile";
import { pngOf, renderTextPages, scannedPdf } from "../ingest/fixtures/make-scan";
import { call } from "./support/api";
import { ask, createCollection, createGroup, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";

// Scanned documents over the HTTP API against the production server: a PDF with no text layer
// and a PNG are read by OCR in the parser sandbox and answer questions with citations that say
// so; a decompression-bomb image and a PDF that allocates without bound fail alone, naming the
// limit, while the server goes on answering.

test.describe.configure({ mode: "serial" });

let adminKey: string;
let readerKey: string;
let collectionId: string;

type Listed = {
  name: string;
  status: string;
  pages: number | null;
  error: { code: string; message: string } | null;
  ocr: { pages: number; threshold: number; lowConfidence: unknown[]; leftOut: unknown[] } | null;
};

async function documents(request: Parameters<typeof call>[0]) {
  const { json } = await call(request, "GET", `/api/collections/${collectionId}/documents`, { key: readerKey });
  return new Map((json as { documents: Listed[] }).documents.map((d) => [d.name, d]));
}

async function finished(request: Parameters<typeof call>[0], jobId: string) {
  for (let i = 0; i < 360; i++) {
    const { json } = await call(request, "GET", `/api/jobs/${jobId}`, { key: adminKey });
    const job = json as { status: string; error: string | null };
    if (job.status === "succeeded" || job.status === "failed") return job;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`job ${jobId} did not finish`);
}

test.beforeAll(async ({ request }) => {
  adminKey = createApiKey(e2e.adminEmail);
  const stamp = Date.now();
  collectionId = await createCollection(request, adminKey, `Scanned archive ${stamp}`);
  // A group holding only this spec's reader: a grant to a whole role would let every other
  // spec's employee read the archive and break their "no access" checks.
  const reader = uniqueEmail("archive-reader");
  await createUser(request, adminKey, reader, "archive reader password 1");
  await createGroup(request, adminKey, `Archive readers ${stamp}`, [reader]);
  await call(request, "POST", `/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { group: `Archive readers ${stamp}`, access: "read" },
  });
  readerKey = createApiKey(reader);
});

test("a scanned PDF and a PNG are read by OCR and answer questions, citing the page and the OCR", async ({
  request,
}) => {
  test.setTimeout(180_000);
  const [memo, badge] = await renderTextPages([
    ["Archive memo 1987", "Boiler room keys are kept in the security office, hook 14."],
    ["Visitor badges", "Contractors collect an orange badge from reception before 9 am."],
  ]);
  const pdf = await uploadText(
    request,
    adminKey,
    collectionId,
    "archive-memo.pdf",
    scannedPdf([memo!]),
    "application/pdf",
  );
  const png = await uploadText(request, adminKey, collectionId, "badges.png", pngOf(badge!), "image/png");
  await waitForJob(request, adminKey, pdf.jobId);
  await waitForJob(request, adminKey, png.jobId);

  const listed = await documents(request);
  expect(listed.get("archive-memo.pdf")).toMatchObject({ status: "ready", pages: 1, ocr: { pages: 1, threshold: 60 } });
  expect(listed.get("badges.png")).toMatchObject({ status: "ready", ocr: { pages: 1, leftOut: [] } });

  const keys = await ask(request, readerKey, {
    message: "Where are the boiler room keys kept?",
    collectionIds: [collectionId],
  });
  expect(keys.status).toBe(200);
  expect(keys.final!.answer).toMatch(/security office, hook 14/);
  const cited = keys.final!.citations.find((c) => c.documentId === pdf.documentId);
  expect(cited).toMatchObject({ pageStart: 1 });
  expect(cited!.ocrConfidence).toBeGreaterThan(80);

  const badges = await ask(request, readerKey, {
    message: "Where do contractors collect a badge?",
    collectionIds: [collectionId],
  });
  expect(badges.final!.answer).toMatch(/orange badge from reception/);
  expect(badges.final!.citations.some((c) => c.documentId === png.documentId && c.ocrConfidence! > 80)).toBe(true);
});

test("hostile files fail alone, naming the limit, and the server keeps serving", async ({ request }) => {
  test.setTimeout(180_000);
  const bombImage = await uploadText(request, adminKey, collectionId, "bomb.png", await pngBomb(60_000), "image/png");
  const bombPdf = await uploadText(request, adminKey, collectionId, "bomb.pdf", await pdfBomb(4096), "application/pdf");

  // While the PDF inflates towards the limit in its parser process, the server answers.
  const health = await call(request, "GET", "/api/health");
  expect(health.res.status()).toBe(200);
  const during = await ask(request, readerKey, {
    message: "Where are the boiler room keys kept?",
    collectionIds: [collectionId],
  });
  expect(during.final!.answer).toMatch(/hook 14/);

  const image = await finished(request, bombImage.jobId);
  expect(image.status).toBe("failed");
  expect(image.error).toMatch(/60000 × 60000 pixels .*limit of 50 megapixels \(OCR_MAX_IMAGE_MEGAPIXELS\)/);
  const pdf = await finished(request, bombPdf.jobId);
  expect(pdf.status).toBe("failed");
  expect(pdf.error).toBe(
    "Reading the file needed more than the parser's memory limit of 1024 MB (PARSER_MAX_MEMORY_MB); it was stopped and the document was not ingested.",
  );
  const listed = await documents(request);
  expect(listed.get("bomb.pdf")).toMatchObject({ status: "failed", error: { code: "memory_limit" } });
  expect(listed.get("bomb.png")).toMatchObject({ status: "failed", error: { code: "too_large" } });

  // The next upload is parsed by a fresh parser process.
  const after = await uploadText(
    request,
    adminKey,
    collectionId,
    "after.md",
    "# After\n\nThe lift is serviced on Fridays.\n",
  );
  await waitForJob(request, adminKey, after.jobId);
  expect((await call(request, "GET", "/api/health")).res.status()).toBe(200);
});
