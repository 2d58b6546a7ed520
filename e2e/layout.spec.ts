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

test("on a phone the navigation folds behind Menu: aria-expanded says its state, Escape closes it and returns focus", async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
  const page = await context.newPage();
  await new LoginPage(page).signIn(e2e.adminEmail, e2e.adminPassword);
  const toggle = page.getByTestId("menu-toggle");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(toggle).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();

  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await expect(nav.getByTestId("nav-chat")).toBeVisible();
  await nav.getByTestId("nav-chat").focus();
  await page.keyboard.press("Escape");
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  await expect(toggle).toBeFocused();

  // Following a link from the open menu leaves it closed on the next page.
  await page.keyboard.press("Enter");
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await nav.getByTestId("nav-collections").click();
  await expect(page.getByRole("heading", { level: 1, name: "Collections" })).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  await context.close();
});

test("under the system's dark setting the pages are dark, and light under the light one", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark" });
  const page = await context.newPage();
  await new LoginPage(page).signIn(e2e.adminEmail, e2e.adminPassword);
  // Tailwind's colours are oklch(); a canvas turns any CSS colour into the sRGB it paints.
  const luminance = (selector: string, property: "backgroundColor" | "color") =>
    page
      .locator(selector)
      .first()
      .evaluate((el, prop) => {
        const ctx = document.createElement("canvas").getContext("2d")!;
        ctx.fillStyle = getComputedStyle(el)[prop];
        ctx.fillRect(0, 0, 1, 1);
        const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
        return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
      }, property);
  const lightness = (selector: string) => luminance(selector, "backgroundColor");
  const textLightness = () => luminance("h1", "color");
  for (const path of ["/", "/collections", "/admin/users"]) {
    await page.goto(path);
    await expect(page.locator("h1").first()).toBeVisible();
    expect(await lightness("body"), `${path} body`).toBeLessThan(0.2);
    expect(await lightness("header"), `${path} header`).toBeLessThan(0.2);
    expect(await textLightness(), `${path} heading text`).toBeGreaterThan(0.7);
  }
  await page.emulateMedia({ colorScheme: "light" });
  expect(await lightness("body")).toBeGreaterThan(0.9);
  expect(await textLightness()).toBeLessThan(0.3);
  await context.close();
});

test("the icons and the app manifest the pages name are served from public/", async ({ page, request }) => {
  await page.goto("/login");
  const hrefs = await page
    .locator('head link[rel="icon"], head link[rel="apple-touch-icon"], head link[rel="manifest"]')
    .evaluateAll((links) => links.map((l) => `${l.getAttribute("rel")} ${l.getAttribute("href")}`));
  expect(hrefs).toEqual(
    expect.arrayContaining([
      "icon /favicon.svg",
      "icon /icons/icon-192.png",
      "apple-touch-icon /icons/apple-touch-icon.png",
      "manifest /manifest.webmanifest",
    ]),
  );
  const manifest = await request.get("/manifest.webmanifest");
  expect(manifest.status()).toBe(200);
  const icons = ((await manifest.json()) as { icons: { src: string; type: string }[] }).icons;
  expect(icons.map((i) => i.src)).toContain("/icons/icon-512.png");
  for (const href of [...hrefs.map((h) => h.split(" ")[1]!), ...icons.map((i) => i.src)]) {
    const res = await request.get(href);
    expect(res.status(), href).toBe(200);
    expect(res.headers()["x-content-type-options"], href).toBe("nosniff");
    if (href.endsWith(".png")) expect(res.headers()["content-type"], href).toBe("image/png");
  }
});
