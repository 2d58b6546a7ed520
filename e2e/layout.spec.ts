import { expect, test } from "@playwright/test";
import { e2e } from "./support/env";
import { LoginPage } from "./pages/login-page";

// The header at a common laptop width: every navigation link on one line, even for an
// administrator (the most links) with a long email address.

test("the navigation fits one line at 1280 px", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await new LoginPage(page).signIn(e2e.adminEmail, e2e.adminPassword);
  const links = page.getByRole("navigation", { name: "Main" }).getByRole("link");
  expect(await links.count()).toBeGreaterThan(3);
  const tops = new Set<number>();
  for (const box of await Promise.all((await links.all()).map((l) => l.boundingBox()))) tops.add(Math.round(box!.y));
  expect([...tops]).toHaveLength(1);
  await page.screenshot({ path: "test-results/layout-header-1280.png" });
  await context.close();
});
