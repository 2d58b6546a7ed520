// Settings of this run, fixed by playwright.config.ts in the environment every worker inherits.
export const e2e = {
  dataDir: process.env.E2E_DATA_DIR!,
  adminEmail: process.env.E2E_ADMIN_EMAIL!,
  adminPassword: process.env.E2E_ADMIN_PASSWORD!,
  metricsToken: process.env.E2E_METRICS_TOKEN!,
  llamaBaseUrl: `http://127.0.0.1:${process.env.E2E_LLAMA_PORT}`,
  llamaDataDir: process.env.E2E_LLAMA_DATA_DIR!,
  mdBaseUrl: `http://127.0.0.1:${process.env.E2E_MD_PORT}`,
  mdDataDir: process.env.E2E_MD_DATA_DIR!,
};

export function uniqueEmail(label: string): string {
  return `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@e2e.example`;
}
