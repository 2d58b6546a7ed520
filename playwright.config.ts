import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

// The browser tests run the production build (`next start`) with embedded defaults, exactly
// what a newcomer gets, in a fresh data directory per run. Workers re-read this file, so the
// run's settings are fixed once in the environment they inherit.
process.env.E2E_PORT ??= String(3100 + Math.floor(Math.random() * 800));
process.env.E2E_DATA_DIR ??= path.join(os.tmpdir(), `kq-e2e-${Date.now()}`);
process.env.E2E_ADMIN_EMAIL ??= "admin@e2e.example";
process.env.E2E_ADMIN_PASSWORD ??= `e2e-${Math.random().toString(36).slice(2)}-Pw!`;
// A second server with single sign-on switched on, against a real OpenID provider on loopback
// (e2e/support/oidc-provider.mjs). The first server stays as a newcomer gets it: no SSO.
process.env.E2E_SSO_PORT ??= String(Number(process.env.E2E_PORT) + 1000);
process.env.E2E_IDP_PORT ??= String(Number(process.env.E2E_PORT) + 2000);
process.env.E2E_SSO_DATA_DIR ??= `${process.env.E2E_DATA_DIR}-sso`;
process.env.E2E_OIDC_CLIENT_SECRET ??= `e2e-${Math.random().toString(36).slice(2)}`;
// A third server that answers with node-llama-cpp and the stories260K fixture (e2e/chat-llama.spec.ts):
// one sequence, no waiting room, long answers, so a second question meets a full queue.
process.env.E2E_LLAMA_PORT ??= String(Number(process.env.E2E_PORT) + 3000);
process.env.E2E_LLAMA_DATA_DIR ??= `${process.env.E2E_DATA_DIR}-llama`;
// A fourth server whose answers come from e2e/support/markdown-model-server.mjs, an OpenAI-compatible
// server on loopback that writes Markdown (tables, lists, raw HTML to drop): e2e/answers.spec.ts.
process.env.E2E_MD_PORT ??= String(Number(process.env.E2E_PORT) + 4000);
process.env.E2E_MD_MODEL_PORT ??= String(Number(process.env.E2E_PORT) + 5000);
process.env.E2E_MD_DATA_DIR ??= `${process.env.E2E_DATA_DIR}-md`;
// Prometheus's bearer token for GET /api/metrics (e2e/operations.spec.ts).
process.env.E2E_METRICS_TOKEN ??= `metrics-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

const port = Number(process.env.E2E_PORT);
const ssoPort = Number(process.env.E2E_SSO_PORT);
const idpPort = Number(process.env.E2E_IDP_PORT);
const llamaPort = Number(process.env.E2E_LLAMA_PORT);
const mdPort = Number(process.env.E2E_MD_PORT);
const mdModelPort = Number(process.env.E2E_MD_MODEL_PORT);
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const oidcClientId = "knowledge-qa-e2e";

const appEnv = {
  DATABASE_URL: "",
  ADMIN_EMAIL: process.env.E2E_ADMIN_EMAIL,
  ADMIN_PASSWORD: process.env.E2E_ADMIN_PASSWORD,
  NEXT_TELEMETRY_DISABLED: "1",
  LOG_LEVEL: "warn",
  METRICS_TOKEN: process.env.E2E_METRICS_TOKEN,
  // The specs sign the administrator in with a password many times; asking each for a code would
  // only slow them. The SSO server below requires it of compliance, which e2e/mfa.spec.ts proves.
  MFA_REQUIRED_ROLES: "",
};

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  timeout: 30_000,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    {
      name: "chromium",
      use: { ...devices["Desktop Chrome"] },
      testIgnore: /(api-coverage|zero-egress|viewer-headed)\.spec\.ts/,
    },
    // A cold production server started from scratch inside a network namespace: run alone, so
    // its start-up time is not shared with another worker's specs.
    { name: "zero-egress", testMatch: /zero-egress\.spec\.ts/, dependencies: ["chromium"] },
    // Checks what all the other specs saw, so it runs after them.
    { name: "api-coverage", testMatch: /api-coverage\.spec\.ts/, dependencies: ["chromium", "zero-egress"] },
  ],
  webServer: [
    {
      command: `node node_modules/next/dist/bin/next start -p ${llamaPort}`,
      url: `http://127.0.0.1:${llamaPort}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        ...appEnv,
        PORT: String(llamaPort),
        DATA_DIR: process.env.E2E_LLAMA_DATA_DIR,
        MODEL_PATH: path.resolve("../shared/models/stories260K.gguf"),
        MODEL_THREADS: "1",
        MODEL_PARALLEL: "1",
        MODEL_QUEUE_MAX: "0",
        MODEL_CONTEXT_SIZE: "2048",
        MODEL_MAX_TOKENS: "1000",
        MODEL_SEED: "42",
      },
    },
    {
      command: "node e2e/support/markdown-model-server.mjs",
      url: `http://127.0.0.1:${mdModelPort}/v1/models`,
      reuseExistingServer: false,
      timeout: 10_000,
      stdout: "ignore",
      stderr: "pipe",
      env: { MD_MODEL_PORT: String(mdModelPort) },
    },
    {
      command: `node node_modules/next/dist/bin/next start -p ${mdPort}`,
      url: `http://127.0.0.1:${mdPort}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        ...appEnv,
        PORT: String(mdPort),
        DATA_DIR: process.env.E2E_MD_DATA_DIR,
        MODEL_SERVER_URL: `http://127.0.0.1:${mdModelPort}/v1`,
      },
    },
    {
      command: `node node_modules/next/dist/bin/next start -p ${port}`,
      url: `http://127.0.0.1:${port}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
      stderr: "pipe",
      // A parser memory ceiling half the default, still twice what reading a scanned page takes,
      // so the PDF bomb in e2e/ocr-api.spec.ts reaches it in seconds rather than a minute.
      env: { ...appEnv, PORT: String(port), DATA_DIR: process.env.E2E_DATA_DIR, PARSER_MAX_MEMORY_MB: "1024" },
    },
    {
      command: "node e2e/support/oidc-provider.mjs",
      url: `http://127.0.0.1:${idpPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 10_000,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        IDP_PORT: String(idpPort),
        IDP_CLIENT_ID: oidcClientId,
        IDP_CLIENT_SECRET: process.env.E2E_OIDC_CLIENT_SECRET,
        // localhost, as the README tells people to open the app; sso.localhost stands in for a
        // real host name, one that differs from the address Next.js listens on.
        IDP_REDIRECT_URIS: [`http://localhost:${ssoPort}`, `http://sso.localhost:${ssoPort}`]
          .map((origin) => `${origin}/api/auth/callback/oidc`)
          .join(" "),
      },
    },
    {
      command: `node node_modules/next/dist/bin/next start -p ${ssoPort}`,
      url: `http://127.0.0.1:${ssoPort}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        ...appEnv,
        PORT: String(ssoPort),
        DATA_DIR: process.env.E2E_SSO_DATA_DIR,
        OIDC_ISSUER: `http://127.0.0.1:${idpPort}`,
        OIDC_CLIENT_ID: oidcClientId,
        OIDC_CLIENT_SECRET: process.env.E2E_OIDC_CLIENT_SECRET,
        OIDC_DISPLAY_NAME: "Hospital SSO",
        OIDC_ROLE_MAP: "kq-admins=admin,kq-audit=compliance",
        // Password accounts with compliance must set up a second factor; SSO users (kq-audit) are not asked.
        MFA_REQUIRED_ROLES: "compliance",
      },
    },
  ],
});
