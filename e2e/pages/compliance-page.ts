import { expect, type Page } from "@playwright/test";

/** The compliance console: the audit log with its filters, and an event's record. */
export class CompliancePage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.getByTestId("nav-compliance").click();
    await expect(this.page.getByTestId("audit-filters")).toBeVisible();
  }

  /** Sets the filters given (others cleared) and applies them. */
  async filter(f: { user?: string; type?: string; collection?: string; q?: string }) {
    const form = this.page.getByTestId("audit-filters");
    await form.getByLabel("User (email)").fill(f.user ?? "");
    await form.getByLabel("Event type").selectOption(f.type ?? "");
    await form.getByLabel("Collection").selectOption(f.collection ? { label: f.collection } : "");
    await form.getByLabel("Words").fill(f.q ?? "");
    await this.page.getByTestId("apply-filters").click();
    await this.page.waitForLoadState("load");
  }

  rows() {
    return this.page.getByTestId("event-row");
  }

  rowsOfType(type: string) {
    return this.page.locator(`[data-testid="event-row"][data-type="${type}"]`);
  }

  async openFirst(type: string) {
    await this.rowsOfType(type).first().getByRole("link").click();
    await expect(this.page.getByTestId("event-title")).toContainText(type);
  }
}
