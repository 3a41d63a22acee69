import { test, expect } from "@playwright/test";
import { expectNoHorizontalScroll, signIn, watchErrors } from "./helpers";

// The notification settings page: plain forms, saved and shown again; the
// admin's list of recent notifications; and the service worker showing a
// push message (delivered through Chrome's DevTools protocol, as a push
// service would hand it to the browser: Chromium's own push service is on
// the internet, which this machine cannot reach).
test("everyone chooses their notifications on a page of plain forms", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await signIn(page, "Jesse");
  await page.locator(".user-menu").getByRole("link", { name: "Alerts" }).click();
  await expect(page).toHaveURL(/\/settings\/notifications$/);
  await expect(page.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();
  await expect(page.locator(".notify-rules tbody tr")).toHaveCount(8);
  await expect(page.getByRole("heading", { name: "Recent notifications" })).toBeVisible();
  // The e2e server has a VAPID key: the push button is offered.
  await expect(page.locator("#push-toggle")).toBeVisible();

  const box = page.getByRole("checkbox", { name: "A result is completed by email" });
  const before = await box.isChecked();
  await box.setChecked(!before);
  await page.getByRole("button", { name: "Save rules" }).click();
  await expect(page).toHaveURL(/\/settings\/notifications$/);
  await expect(page.getByRole("checkbox", { name: "A result is completed by email" })).toBeChecked({ checked: !before });
  await page.getByLabel("Time zone").fill("America/Chicago");
  await page.getByLabel("From").fill("22:00");
  await page.getByLabel("Until").fill("07:00");
  await page.getByRole("button", { name: "Save quiet hours" }).click();
  await expect(page.getByLabel("Time zone")).toHaveValue("America/Chicago");
  await expect(page.getByLabel("From")).toHaveValue("22:00");
  // A zone that does not exist: said, and nothing saved.
  await page.getByLabel("Time zone").fill("Mars/Olympus");
  await page.getByRole("button", { name: "Save quiet hours" }).click();
  await expect(page.locator(".notify-page [role=alert]")).toContainText("not a time zone");
  await expect(page.getByLabel("Time zone")).toHaveValue("America/Chicago");
  // Put it back for the other tests and runs.
  await page.getByLabel("Time zone").fill("UTC");
  await page.getByLabel("From").fill("");
  await page.getByLabel("Until").fill("");
  await page.getByRole("button", { name: "Save quiet hours" }).click();
  await expect(page.getByLabel("Time zone")).toHaveValue("UTC");

  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: `screenshots/notifications-${testInfo.project.name}.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test("a VIP sees their own rules and not the admin's list", async ({ page }) => {
  await signIn(page);
  await page.goto("settings/notifications");
  await expect(page.getByRole("checkbox", { name: "The weekly summary (Friday afternoon, with charts and a PDF) by email" })).toBeChecked();
  await expect(page.getByText("A plan sync is refused or has warnings")).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Recent notifications" })).toHaveCount(0);
});

test("the service worker shows a push message and opens its page when tapped", async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== "desktop", "one browser context is enough");
  const context = await browser.newContext({ serviceWorkers: "allow", viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await signIn(page, "Jesse");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const origin = new URL(page.url()).origin;
  await context.grantPermissions(["notifications"], { origin });
  const cdp = await context.newCDPSession(page);
  const registered = new Promise<string>((resolve) => {
    cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => {
      const r = e.registrations.find((r: { isDeleted: boolean }) => !r.isDeleted);
      if (r) resolve(r.registrationId);
    });
  });
  await cdp.send("ServiceWorker.enable");
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  const registrationId = await registered;
  const message = { title: "Blocked: A2 Mix the single", body: "Quinn's action A2 is blocked: no studio", url: `${origin}/`, tag: "t1" };
  await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId, data: JSON.stringify(message) });
  const shown = () =>
    page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag })),
    );
  await expect.poll(shown).toEqual([{ title: message.title, body: message.body, tag: "t1" }]);
  await context.close();
});
