import { expect, type Page } from "@playwright/test";

/** The compliance review queue and one item's page with the decision form. */
export class ReviewPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.getByTestId("nav-review").click();
    await expect(this.page.getByRole("heading", { level: 1, name: "Review queue" })).toBeVisible();
  }

  async filter(f: { status?: string; reason?: string }) {
    const form = this.page.getByTestId("review-filters");
    await form.getByLabel("Status").selectOption(f.status ?? "open");
    await form.getByLabel("Reason").selectOption(f.reason ?? "");
    await this.page.getByTestId("review-apply-filters").click();
    await this.page.waitForLoadState("load");
  }

  rows() {
    return this.page.getByTestId("review-row");
  }

  /** The row whose question contains `text`. */
  row(text: string) {
    return this.rows().filter({ has: this.page.getByTestId("review-question").filter({ hasText: text }) });
  }

  async open(text: string) {
    await this.row(text).getByTestId("review-item-link").click();
    await expect(this.page.getByTestId("review-item-title")).toContainText("Review #");
  }

  async decide(decision: "correct" | "incorrect" | "escalate" | "reopen", note: string) {
    await this.page.getByTestId("review-note").fill(note);
    await this.page.getByTestId(`review-decide-${decision}`).click();
  }
}
