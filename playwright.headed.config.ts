import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

// `npm run test:headed`: the viewer in a real headed Chromium (Debian's) on an Xvfb display, as
// a person's browser draws it: not part of `npm test`, because it needs xvfb-run and a server of
// its own (see README, "Browser tests"). One server, one spec: e2e/viewer-headed.spec.ts.
process.env.E2E_PORT ??= String(3100 + Math.floor(Math.random() * 800));
process.env.E2E_DATA_DIR ??= path.join(os.tmpdir(), `kq-e2e-headed-${Date.now()}`);
process.env.E2E_ADMIN_EMAIL ??= "admin@e2e.example";
process.env.E2E_ADMIN_PASSWORD ??= `e2e-${Math.random().toString(36).slice(2)}-Pw!`;

const port = Number(process.env.E2E_PORT);

export default defineConfig({
  testDir: "e2e",
  testMatch: /viewer-headed\.spec\.ts/,
  outputDir: "test-results/headed",
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  timeout: 60_000,
  use: {
    ...devices["Desktop Chrome"],
    baseURL: `http://127.0.0.1:${port}`,
    headless: false,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    },
  },
  webServer: {
    command: `node node_modules/next/dist/bin/next start -p ${port}`,
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: "",
      ADMIN_EMAIL: process.env.E2E_ADMIN_EMAIL,
      ADMIN_PASSWORD: process.env.E2E_ADMIN_PASSWORD,
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "warn",
      MFA_REQUIRED_ROLES: "",
      PORT: String(port),
      DATA_DIR: process.env.E2E_DATA_DIR,
    },
  },
});
