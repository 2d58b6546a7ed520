import { expect, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { makePdf, textPage } from "../../ingest/fixtures/make-pdf";
import { LoginPage } from "../pages/login-page";
import { call } from "./api";
import { ask, createCollection, createGroup, createUser, uploadText, waitForJob } from "./chat";
import { createApiKey } from "./cli";
import { e2e, uniqueEmail } from "./env";
import { totpOf } from "./totp";

// What the accessibility tour (e2e/a11y.spec.ts) needs to reach every page with something on it:
// a collection with a PDF cited in an answer, a document with two versions, a review item, an
// account with a second factor (for /login/mfa) and one with a one-time password (/login/password).

export const PASSWORD = "axe tour password 42";

export interface Tour {
  employee: string;
  compliance: string;
  mfaUser: string;
  resetUser: string;
  oneTimePassword: string;
  collectionId: string;
  groupId: string;
  employeeId: string;
  conversationId: string;
  pdfId: string;
  notesId: string;
}

const PDF = makePdf([
  textPage(["Linen room", "Clean linen is delivered to the wards every morning before seven."]),
  textPage(["Returns", "Soiled linen is bagged at the bedside and collected from the sluice at noon."]),
]);

async function userId(request: APIRequestContext, key: string, email: string) {
  const { json } = await call(request, "GET", "/api/users", { key });
  return (json as { users: { id: string; email: string }[] }).users.find((u) => u.email === email)!.id;
}

/** Turns the second factor on from the profile page, as a person would. */
async function enrolMfa(browser: Browser, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, PASSWORD);
  await page.goto("/profile");
  await page.getByTestId("mfa-start").click();
  await expect(page.getByTestId("mfa-qr-code")).toBeVisible();
  const key = (await page.getByTestId("mfa-secret").textContent())!.trim();
  await page.getByTestId("mfa-confirm-form").getByTestId("mfa-code").fill(totpOf(key).generate());
  await page.getByTestId("mfa-confirm-submit").click();
  await expect(page.getByTestId("recovery-code")).toHaveCount(10);
  await context.close();
}

/** The administrator resets the account's password on its page; returns the one-time password. */
async function resetPassword(browser: Browser, id: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(e2e.adminEmail, e2e.adminPassword);
  await page.goto(`/admin/users/${id}`);
  await page.getByTestId("reset-password").click();
  const oneTime = (await page.getByTestId("one-time-password").textContent())!.trim();
  await context.close();
  return oneTime;
}

export async function prepareTour(browser: Browser, request: APIRequestContext): Promise<Tour> {
  const adminKey = createApiKey(e2e.adminEmail);
  const [employee, compliance, mfaUser, resetUser] = ["axe-employee", "axe-compliance", "axe-mfa", "axe-reset"].map(
    uniqueEmail,
  ) as [string, string, string, string];
  await createUser(request, adminKey, employee, PASSWORD);
  await createUser(request, adminKey, compliance, PASSWORD, ["compliance"]);
  await createUser(request, adminKey, mfaUser, PASSWORD);
  await createUser(request, adminKey, resetUser, PASSWORD);
  // Looked up now: the request context's idle connection may be gone after the browser steps below.
  const [employeeId, resetId] = [await userId(request, adminKey, employee), await userId(request, adminKey, resetUser)];
  const groupName = `Axe ward ${Date.now()}`;
  const groupId = await createGroup(request, adminKey, groupName, [employee]);
  const collectionId = await createCollection(request, adminKey, `Axe linen ${Date.now()}`);
  await call(request, "POST", `/api/collections/${collectionId}/grants`, {
    key: adminKey,
    data: { group: groupName, access: "read" },
  });
  const pdf = await uploadText(request, adminKey, collectionId, "linen.pdf", PDF, "application/pdf");
  const notes1 = await uploadText(request, adminKey, collectionId, "rota.md", "# Rota\n\nPorters work nights.\n");
  for (const u of [pdf, notes1]) await waitForJob(request, adminKey, u.jobId);
  const notes2 = await uploadText(request, adminKey, collectionId, "rota.md", "# Rota\n\nPorters work days.\n");
  await waitForJob(request, adminKey, notes2.jobId);

  const employeeKey = createApiKey(employee);
  const asked = await ask(request, employeeKey, { message: "When is soiled linen collected?" });
  expect(asked.final?.citations.length).toBeGreaterThan(0);
  const feedback = await call(request, "POST", `/api/messages/${asked.final!.messageId}/feedback`, {
    key: employeeKey,
    data: { rating: -1, reason: "incorrect", comment: "The sluice is emptied at two." },
  });
  expect(feedback.res.status()).toBeLessThan(300);

  await enrolMfa(browser, mfaUser);
  const oneTimePassword = await resetPassword(browser, resetId);
  return {
    employee,
    compliance,
    mfaUser,
    resetUser,
    oneTimePassword,
    collectionId,
    groupId,
    employeeId,
    conversationId: asked.final!.conversationId,
    pdfId: pdf.documentId,
    notesId: notes2.documentId,
  };
}

/** Signs in on a fresh page of a fresh context and leaves it at the home page. */
export async function signInPage(browser: Browser, email: string, password = PASSWORD): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, password);
  return page;
}
