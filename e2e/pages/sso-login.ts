import { expect, type Page } from "@playwright/test";

/**
 * Single sign-on as a person does it: the button on our sign-in page, then the identity
 * provider's own login form (oidc-provider's development form: a login name and any password).
 */
export class SsoLogin {
  constructor(
    private readonly page: Page,
    private readonly idpOrigin: string,
  ) {}

  button() {
    return this.page.getByTestId("sign-in-oidc");
  }

  /** Starts SSO from our sign-in page and stops at the identity provider's login form. */
  async start(loginPath = "/login") {
    await this.page.goto(loginPath);
    await this.button().click();
    await expect(this.page).toHaveURL((url) => url.origin === this.idpOrigin);
  }

  /** Logs in at the identity provider, which sends the browser back to us. */
  async loginAtIdp(login: string) {
    await this.page.locator('input[name="login"]').fill(login);
    await this.page.locator('input[name="password"]').fill("any password");
    await this.page.getByRole("button", { name: "Sign-in" }).click();
  }

  cancelAtIdp() {
    return this.page.getByRole("link", { name: "[ Cancel ]" }).click();
  }

  /** The whole round trip for someone with no session at the IdP yet; waits for our home page. */
  async signIn(login: string) {
    await this.start();
    await this.loginAtIdp(login);
    await expect(this.page.getByTestId("home-welcome")).toBeVisible();
  }
}
