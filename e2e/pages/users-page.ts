import { expect, type Page } from "@playwright/test";
import type { Role } from "./roles";

export class UsersPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.getByTestId("nav-users").click();
    await expect(this.page.getByTestId("users-table")).toBeVisible();
  }

  async createUser(u: { email: string; name: string; password: string; roles: Role[] }) {
    const form = this.page.getByTestId("create-user-form");
    await form.getByLabel("Email").fill(u.email);
    await form.getByLabel("Name").fill(u.name);
    await form.getByLabel("Password").fill(u.password);
    for (const role of ["admin", "compliance", "employee"] as const) {
      await form.getByTestId(`role-${role}`).setChecked(u.roles.includes(role));
    }
    await this.page.getByTestId("create-user-submit").click();
  }

  row(email: string) {
    return this.page.getByTestId(`user-row-${email}`);
  }

  async openUser(email: string) {
    await this.row(email).getByRole("link").first().click();
    await expect(this.page.getByTestId("user-email")).toHaveText(email);
  }
}
