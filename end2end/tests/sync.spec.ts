import { test, expect } from "@playwright/test";
import { signIn, watchErrors, expectNoHorizontalScroll } from "./helpers";

// The admin's sync page: each plan file's last sync, refused and warned
// files first. The e2e server loaded the demo plans through the importer.
test("the admin sees every plan file's last sync", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await signIn(page, "Jesse");
  await page.getByRole("link", { name: "Sync" }).click();
  await expect(page).toHaveURL(/\/sync$/);
  await expect(page.getByRole("heading", { name: "Plan sync", level: 1 })).toBeVisible();
  await expect(page.locator(".sync-summary")).toHaveText(/^12 file\(s\): 0 refused, 0 with warnings$/);
  await expect(page.locator(".sync-file")).toHaveCount(12);
  await expect(page.locator('.sync-file[data-outcome="imported"]')).toHaveCount(12);
  await expect(page.locator(".sync-file .sync-name").first()).toHaveText(/^2026-W\d\d\.md$/);
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: `screenshots/sync-${testInfo.project.name}.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test("a VIP has no sync page", async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole("link", { name: "Sync" })).toHaveCount(0);
  await page.goto("/sync");
  await expect(page.locator(".sync-file")).toHaveCount(0);
  await expect(page.locator(".sync-page [role=alert]")).toContainText("Not shown");
});
