import { test, expect } from "@playwright/test";
import { signIn, watchErrors, expectNoHorizontalScroll } from "./helpers";

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test("the home page shows the current week rendered on the server", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Week of");
  await expect(page.getByRole("progressbar", { name: "Overall completion" })).toBeVisible();
  await expect(page.locator(".result-card")).toHaveCount(5);
  await expect(page.getByText(/\d+% complete/)).toBeVisible();
  expect(errors).toEqual([]);
});

test("a result expands to show its purpose and actions once hydrated", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const first = page.locator(".result-card").first();
  const toggle = first.getByRole("button", { name: "Show actions" });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(first.locator(".action")).toHaveCount(0);

  await toggle.click();
  await expect(first.getByRole("button", { name: "Hide actions" })).toHaveAttribute("aria-expanded", "true");
  await expect(first.getByText("Why:")).toBeVisible();
  expect(await first.locator(".action").count()).toBeGreaterThan(0);
  await page.screenshot({ path: `screenshots/home-expanded-${testInfo.project.name}.png`, fullPage: false });

  await first.getByRole("button", { name: "Hide actions" }).click();
  await expect(first.locator(".action")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the page is a plain readable document without JavaScript", async ({ browser }, testInfo) => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    viewport: testInfo.project.use.viewport ?? undefined,
  });
  const page = await context.newPage();
  await signIn(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Week of");
  await expect(page.locator(".result-card")).toHaveCount(5);
  await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
  await page.screenshot({ path: `screenshots/home-nojs-${testInfo.project.name}.png`, fullPage: true });
  await context.close();
});

test("the layout fits the viewport without sideways scrolling", async ({ page }, testInfo) => {
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: `screenshots/home-${testInfo.project.name}.png` });
});
