import { expect, test } from "@playwright/test";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { SCHEDULE } from "./support/pdfs";
import { call } from "./support/api";
import { createCollection, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";
import { ChatPage } from "./pages/chat-page";
import { LoginPage } from "./pages/login-page";

// Run by `npm run test:headed` (playwright.headed.config.ts) under xvfb-run: a headed Chromium,
// the kind that refused the old sandboxed inline PDF, draws the cited page in the in-app viewer
// with the cited words highlighted on it. Checked by the pixels on the screen, not only the DOM.

const PASSWORD = "headed viewer password 5";

test("a headed Chromium shows the cited page of the PDF with the cited words highlighted", async ({
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  const adminKey = createApiKey(e2e.adminEmail);
  const reader = uniqueEmail("headed-reader");
  await createUser(request, adminKey, reader, PASSWORD);
  const collection = await createCollection(request, adminKey, `Theatre store ${Date.now()}`);
  await call(request, "POST", `/api/collections/${collection}/grants`, {
    key: adminKey,
    data: { role: "employee", access: "read" },
  });
  const upload = await uploadText(request, adminKey, collection, "sterile-store.pdf", SCHEDULE, "application/pdf");
  await waitForJob(request, adminKey, upload.jobId);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  expect(await page.evaluate(() => navigator.userAgent)).not.toContain("Headless");
  await new LoginPage(page).signIn(reader, PASSWORD);
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.ask("When is the sterile store restocked?");
  const answer = await chat.waitForAnswer();
  await expect(answer.getByTestId("answer-text")).toContainText("every Tuesday and Friday");
  // The chip citing the second page: the passage with the days.
  const chips = answer.getByTestId("citation-chip");
  const link = chat.panel().getByTestId("citation-open-viewer");
  for (let i = 0; i < (await chips.count()); i++) {
    await chips.nth(i).click();
    if ((await link.textContent()) === "Open the document at page 2") break;
  }
  await expect(link).toHaveText("Open the document at page 2");
  const [viewer] = await Promise.all([context.waitForEvent("page"), link.click()]);
  await expect(viewer.getByTestId("viewer-page")).toHaveText("Page 2 of 2");
  const hit = viewer.getByTestId("viewer-highlight").filter({ hasText: "restocked every Tuesday and Friday" });
  await expect(hit).toBeVisible();

  // The page is drawn: the canvas holds dark text pixels on white.
  const canvas = viewer.getByTestId("viewer-pdf").locator("canvas");
  const inked = await canvas.evaluate((c: HTMLCanvasElement) => {
    const { data } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 100 && data[i + 1]! < 100 && data[i + 2]! < 100) dark++;
    return dark;
  });
  expect(inked).toBeGreaterThan(500);

  // On the screen, where the cited words are, yellow highlight and dark ink are both painted.
  const box = (await hit.boundingBox())!;
  const shot = await viewer.screenshot({ clip: box });
  const image = await loadImage(shot);
  const drawn = createCanvas(image.width, image.height).getContext("2d");
  drawn.drawImage(image, 0, 0);
  const { data } = drawn.getImageData(0, 0, image.width, image.height);
  const pixels = { yellow: 0, ink: 0, total: image.width * image.height };
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
    if (r > 200 && g > 180 && b < 170) pixels.yellow++;
    if (r < 120 && g < 120 && b < 120) pixels.ink++;
  }
  expect(pixels.yellow / pixels.total).toBeGreaterThan(0.3);
  expect(pixels.ink).toBeGreaterThan(20);
  await viewer.screenshot({ path: "test-results/headed/viewer-headed.png" });
  await context.close();
});
