import { expect, type Page } from "@playwright/test";
import type { Role } from "./roles";

export interface InlineFile {
  name: string;
  mimeType: string;
  text: string;
}

/** One collection: its documents, the upload area and, for admins, the grants panel. */
export class CollectionPage {
  constructor(private readonly page: Page) {}

  uploadZone() {
    return this.page.getByTestId("upload-zone");
  }

  uploadRow(fileName: string) {
    return this.page.getByTestId(`upload-row-${fileName}`);
  }

  uploadStatus(fileName: string) {
    return this.uploadRow(fileName).getByTestId("upload-status");
  }

  documentRow(name: string) {
    return this.page.getByTestId(`doc-row-${name}`);
  }

  /** Picks files with the file input, as a person choosing them in the dialog does. */
  async chooseFiles(files: Parameters<Page["setInputFiles"]>[1]) {
    await this.page.getByTestId("upload-input").setInputFiles(files);
  }

  /** Drops files on the drop zone: a DataTransfer built in the page, carried by a real drop event. */
  async dropFiles(files: InlineFile[]) {
    const dataTransfer = await this.page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([f.text], f.name, { type: f.mimeType }));
      return dt;
    }, files);
    await this.page.getByTestId("upload-drop").dispatchEvent("drop", { dataTransfer });
  }

  async grantRole(role: Role, access: "read" | "manage") {
    const form = this.page.getByTestId("grant-add-form");
    await form.getByTestId("grant-grantee").selectOption(`role:${role}`);
    await form.getByTestId(`grant-access-${access}`).check();
    await form.getByTestId("grant-add-submit").click();
    await expect(this.page.getByTestId(`grant-row-role-${role}`).getByTestId("grant-access")).toHaveText(
      access === "read" ? "Read" : "Manage",
    );
  }

  /** The full-width row under a document with its restriction and delete controls. */
  managePanel(name: string) {
    return this.page.getByTestId(`doc-manage-panel-${name}`);
  }

  /** Opens the document's management panel, leaving it open if it already is. */
  async openManage(name: string) {
    const toggle = this.documentRow(name).getByTestId("doc-manage");
    if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
    await expect(this.managePanel(name)).toBeVisible();
    return this.managePanel(name);
  }

  /** Deletes a document through the in-page confirmation. */
  async deleteDocument(name: string) {
    const panel = await this.openManage(name);
    await panel.getByTestId("doc-delete").click();
    await expect(panel.getByTestId("doc-delete-form")).toContainText(`Delete ${name} with all its versions?`);
    await panel.getByTestId("doc-delete-confirm").click();
    await expect(this.documentRow(name)).toHaveCount(0);
  }
}
