import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser } from "@playwright/test";
import { CollectionPage } from "./pages/collection-page";
import { CollectionsPage } from "./pages/collections-page";
import { LoginPage } from "./pages/login-page";
import { UsersPage } from "./pages/users-page";
import { e2e, uniqueEmail } from "./support/env";

// Documents in, as people see it: an admin makes a collection, grants it, and uploads several
// files at once; each file shows its own progress and its own ending, and the table then holds
// what ingestion found. A reader sees the same documents but cannot upload.

// The smaller of the two real PDFs in the shared data set (about 1 MB).
const PDF = path.resolve(process.cwd(), "../shared/data/regdocs/cdc-nih-pdf/NIH_NIDDK_Eating_Diabetes_508.pdf");
const PDF_NAME = path.basename(PDF);

const MARKDOWN = `# Hand hygiene

Clean your hands before and after every patient contact, after touching the patient's
surroundings, and after removing gloves.

## Alcohol-based rub

Use an alcohol-based hand rub when hands are not visibly soiled. Rub all surfaces for
twenty to thirty seconds, until the hands are dry.

## Soap and water

Wash with soap and water when hands are visibly soiled, and after caring for a patient
with suspected or confirmed infectious diarrhoea.
`;

// Ingesting a real PDF (parse, split, embed on the CPU) takes seconds, not milliseconds; only
// the waits on processing get this allowance.
const PROCESSING = { timeout: 60_000 };

function uniqueName(label: string) {
  return `${label} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
}

async function signedInPage(browser: Browser, email: string, password: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, password);
  return { context, page };
}

test("an admin uploads three files at once; each ends on its own, and a reader sees them without an upload area", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const admin = await signedInPage(browser, e2e.adminEmail, e2e.adminPassword);

  const employeeEmail = uniqueEmail("reader");
  const employeePassword = "reader password 42";
  const users = new UsersPage(admin.page);
  await users.goto();
  await users.createUser({
    email: employeeEmail,
    name: "Rita Reader",
    password: employeePassword,
    roles: ["employee"],
  });
  await expect(users.row(employeeEmail)).toBeVisible();

  const name = uniqueName("Infection control");
  const collections = new CollectionsPage(admin.page);
  await collections.goto();
  await collections.create(name, "Hand hygiene and infection control guidance");
  const collection = new CollectionPage(admin.page);
  await expect(admin.page.getByTestId("documents-empty")).toBeVisible();
  await expect(admin.page.getByTestId("grants-empty")).toBeVisible();
  await collection.grantRole("employee", "read");

  await collection.chooseFiles([
    { name: "hand-hygiene.md", mimeType: "text/markdown", buffer: Buffer.from(MARKDOWN) },
    { name: PDF_NAME, mimeType: "application/pdf", buffer: fs.readFileSync(PDF) },
    { name: "empty.txt", mimeType: "text/plain", buffer: Buffer.alloc(0) },
  ]);
  for (const file of ["hand-hygiene.md", PDF_NAME, "empty.txt"]) {
    await expect(collection.uploadRow(file).getByTestId("upload-progress")).toBeVisible();
  }
  await expect(collection.uploadStatus("hand-hygiene.md")).toHaveText("Ready", PROCESSING);
  await expect(collection.uploadStatus(PDF_NAME)).toHaveText("Ready", PROCESSING);
  await expect(collection.uploadStatus("empty.txt")).toHaveText("Failed: The file is empty.", PROCESSING);
  await expect(collection.uploadRow(PDF_NAME).getByTestId("upload-progress")).toHaveJSProperty("value", 1);

  // Once every file has ended, the table reloads with what ingestion recorded.
  const pdfRow = collection.documentRow(PDF_NAME);
  const mdRow = collection.documentRow("hand-hygiene.md");
  const emptyRow = collection.documentRow("empty.txt");
  await expect(pdfRow.getByTestId("doc-status")).toHaveText("Ready");
  await expect(mdRow.getByTestId("doc-status")).toHaveText("Ready");
  await expect(emptyRow.getByTestId("doc-status")).toHaveText("Failed");
  await expect(emptyRow.getByTestId("doc-error")).toHaveText("The file is empty.");
  expect(Number(await pdfRow.getByTestId("doc-pages").textContent())).toBeGreaterThan(0);
  expect(Number(await pdfRow.getByTestId("doc-chunks").textContent())).toBeGreaterThan(0);
  expect(Number(await mdRow.getByTestId("doc-chunks").textContent())).toBeGreaterThan(0);
  await expect(mdRow.getByTestId("doc-version")).toHaveText("1");
  await expect(mdRow.getByTestId("doc-uploaded")).toContainText("Administrator");

  // The reader: the collection is listed with read access, its documents show, nothing to manage.
  const reader = await signedInPage(browser, employeeEmail, employeePassword);
  const readerCollections = new CollectionsPage(reader.page);
  await readerCollections.goto();
  await expect(readerCollections.row(name).getByTestId("collection-access")).toHaveText("Read");
  await expect(readerCollections.row(name).getByTestId("collection-doc-count")).toHaveText("3");
  await readerCollections.open(name);
  const readerView = new CollectionPage(reader.page);
  await expect(readerView.documentRow(PDF_NAME).getByTestId("doc-status")).toHaveText("Ready");
  // A reader may open the original: the PDF comes back as a PDF.
  const href = await readerView.documentRow(PDF_NAME).getByTestId("doc-open").getAttribute("href");
  const original = await reader.page.request.get(href!);
  expect(original.status()).toBe(200);
  expect(original.headers()["content-type"]).toBe("application/pdf");
  await expect(readerView.uploadZone()).toHaveCount(0);
  await expect(reader.page.getByTestId("upload-input")).toHaveCount(0);
  await expect(reader.page.getByTestId("doc-manage")).toHaveCount(0);
  await expect(reader.page.getByTestId("grants-panel")).toHaveCount(0);

  // Hiding the upload area is not the check: the server refuses the reader's upload.
  const collectionId = new URL(reader.page.url()).pathname.split("/").pop()!;
  const refused = await reader.page.request.post(`/api/collections/${collectionId}/documents`, {
    multipart: { file: { name: "sneaky.md", mimeType: "text/markdown", buffer: Buffer.from("# Not allowed") } },
  });
  expect(refused.status()).toBe(403);

  await admin.context.close();
  await reader.context.close();
});

test("files dropped on the drop zone upload; the same content again is unchanged; restrict and delete on the page", async ({
  browser,
}) => {
  test.setTimeout(60_000);
  const admin = await signedInPage(browser, e2e.adminEmail, e2e.adminPassword);
  const group = uniqueName("Ward7").replace(" ", "-");
  await admin.page.getByTestId("nav-groups").click();
  await admin.page.getByTestId("create-group-form").getByLabel("Name").fill(group);
  await admin.page.getByTestId("create-group-submit").click();
  await expect(admin.page.getByTestId(`group-row-${group}`)).toBeVisible();

  const collections = new CollectionsPage(admin.page);
  await collections.goto();
  await collections.create(uniqueName("Dropped"), "");
  const collection = new CollectionPage(admin.page);

  const note = {
    name: "visiting-hours.md",
    mimeType: "text/markdown",
    text: "# Visiting hours\n\nVisitors are welcome from 10:00 to 20:00 every day.\n",
  };
  await collection.dropFiles([note]);
  await expect(collection.uploadRow(note.name).getByTestId("upload-progress")).toBeVisible();
  await expect(collection.uploadStatus(note.name)).toHaveText("Ready", PROCESSING);
  await expect(collection.documentRow(note.name).getByTestId("doc-status")).toHaveText("Ready");

  // Identical content is recognised at upload and not processed again.
  await admin.page.getByTestId("upload-clear").click();
  await collection.dropFiles([note]);
  await expect(collection.uploadStatus(note.name)).toHaveText("Unchanged");
  await expect(collection.uploadRow(note.name).getByTestId("upload-message")).toHaveText(
    "Identical to the current version; not ingested again.",
  );

  // Restricting to a group shows in the table; the panel stays open with the saved choice.
  const panel = await collection.openManage(note.name);
  await panel.getByTestId(`restrict-group-${group}`).check();
  await panel.getByTestId("restrict-submit").click();
  await expect(panel.getByTestId("restrict-success")).toHaveText(`Restricted to ${group}.`);
  await expect(collection.documentRow(note.name).getByTestId("doc-restricted")).toHaveText(`Only ${group}`);
  await expect(panel.getByTestId(`restrict-group-${group}`)).toBeChecked();

  // The first click only asks; nothing is gone until the confirmation.
  await panel.getByTestId("doc-delete").click();
  await panel.getByTestId("doc-delete-cancel").click();
  await expect(collection.documentRow(note.name)).toBeVisible();
  await collection.deleteDocument(note.name);
  await expect(admin.page.getByTestId("documents-empty")).toBeVisible();

  await admin.context.close();
});
