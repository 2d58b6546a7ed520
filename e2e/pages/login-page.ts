import { expect, type Page } from "@playwright/test";

export class LoginPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/login");
  }

  async submit(email: string, password: string) {
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByTestId("login-submit").click();
  }

  /** Submits and waits until the server has answered and the form is ready again. */
  async submitAndSettle(email: string, password: string) {
    const answered = this.page.waitForResponse(
      (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login",
    );
    await this.submit(email, password);
    await answered;
    await expect(this.page.getByTestId("login-submit")).toHaveText("Sign in");
  }

  /** Signs in and waits for the home page. */
  async signIn(email: string, password: string) {
    await this.goto();
    await this.submit(email, password);
    await expect(this.page.getByTestId("home-welcome")).toBeVisible();
  }

  error() {
    return this.page.getByTestId("login-error");
  }
}
