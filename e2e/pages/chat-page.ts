import { expect, type Locator, type Page } from "@playwright/test";

/** The chat page: conversations, collection picker, messages, composer and the citation panel. */
export class ChatPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.getByTestId("nav-chat").click();
    await expect(this.page.getByRole("heading", { name: "Ask your documents" })).toBeVisible();
  }

  input() {
    return this.page.getByTestId("chat-input");
  }

  /** Types the question and presses Enter, as a keyboard user does. */
  async ask(question: string) {
    await this.input().fill(question);
    await this.input().press("Enter");
  }

  answers(): Locator {
    return this.page.locator('[data-testid="chat-message"][data-role="assistant"]');
  }

  lastAnswer(): Locator {
    return this.answers().last();
  }

  /** Waits for the last answer to finish (complete, stopped or failed). */
  async waitForAnswer() {
    await expect(this.lastAnswer()).toHaveAttribute("data-status", /complete|stopped|failed/, { timeout: 30_000 });
    return this.lastAnswer();
  }

  panel() {
    return this.page.getByTestId("citation-panel");
  }

  conversationLinks() {
    return this.page.getByTestId("conversation-link");
  }
}
