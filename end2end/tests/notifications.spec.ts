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

test("the service worker shows a push message, its icon allowed by the worker's policy", async ({ browser }, testInfo) => {
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
  // Whatever the worker reports (a policy that blocks the notification's
  // icon, an exception in its handlers) fails the test.
  const workerErrors: string[] = [];
  cdp.on("ServiceWorker.workerErrorReported", (e) => workerErrors.push(e.errorMessage.errorMessage));
  await cdp.send("ServiceWorker.enable");
  // `ready` may resolve while the worker is still activating: the message
  // goes to an activated worker, with the permission granted.
  const state = await page.evaluate(async () => {
    const worker = (await navigator.serviceWorker.ready).active!;
    if (worker.state !== "activated")
      await new Promise((resolve) => worker.addEventListener("statechange", () => worker.state === "activated" && resolve(null)));
    return { worker: worker.state, permission: Notification.permission };
  });
  expect(state).toEqual({ worker: "activated", permission: "granted" });
  const registrationId = await registered;
  const message = { title: "Blocked: A2 Mix the single", body: "Quinn's action A2 is blocked: no studio", url: `${origin}/`, tag: "t1" };
  const shown = () =>
    page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag })),
    );
  // Headless Chromium now and then (2 to 5 runs in 150, 2026-12-03) does not
  // list the notification a fresh worker showed for its first push message,
  // although the worker's showNotification resolved (seen by instrumenting
  // the worker; not the icon, not the permission, not activation). The same
  // message delivered again, same tag, replaces rather than adds, and is
  // listed at once. So: up to three deliveries, and exactly one notification.
  let seen: { title: string; body: string; tag: string }[] = [];
  for (let delivery = 0; delivery < 3 && seen.length === 0; delivery++) {
    await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId, data: JSON.stringify(message) });
    const until = Date.now() + 3000;
    while ((seen = await shown()).length === 0 && Date.now() < until) await page.waitForTimeout(100);
  }
  expect(seen).toEqual([{ title: message.title, body: message.body, tag: "t1" }]);
  expect(workerErrors).toEqual([]);
  await context.close();
});
