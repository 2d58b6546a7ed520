import { expect, type Page } from "@playwright/test";

/** The list of collections a person may use, and the admin's create form. */
export class CollectionsPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.getByTestId("nav-collections").click();
    await expect(this.page.getByRole("heading", { level: 1, name: "Collections" })).toBeVisible();
  }

  row(name: string) {
    return this.page.getByTestId(`collection-row-${name}`);
  }

  /** Creates a collection; the server then opens its page. */
  async create(name: string, description: string) {
    const form = this.page.getByTestId("create-collection-form");
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Description").fill(description);
    await this.page.getByTestId("create-collection-submit").click();
    await expect(this.page.getByTestId("collection-heading")).toHaveText(name);
  }

  async open(name: string) {
    await this.row(name).getByRole("link", { name }).click();
    await expect(this.page.getByTestId("collection-heading")).toHaveText(name);
  }
}
