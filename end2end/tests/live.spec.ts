import { test, expect, type Page } from "@playwright/test";
import { signIn, watchErrors } from "./helpers";

// The code of an open action Jesse can complete or block, shown without
// "Show all" (in progress or due; not one of his own, which stay in their
// own section whatever their state). The suites before
// (desktop, phone, mounted) use actions up: when none is left, a completed
// one is reopened first, through the page, as Jesse would.
async function openCode(page: Page): Promise<string> {
  const shown = (section: string) => page.locator(`.feed ${section} > .feed-list > .feed-card`);
  const open = shown(".feed-section:not([data-section=yours])").filter({ has: page.getByRole("button", { name: "Block", exact: true }) });
  if ((await open.count()) === 0) {
    const done = shown("[data-section=completed]")
      .filter({ has: page.getByRole("button", { name: "Reopen" }) })
      .filter({ hasNot: page.locator(".feed-meta", { hasText: /^Jesse ·/ }) })
      .last(); // the oldest shown: not the one this test just completed
    const code = (await done.getAttribute("data-code"))!;
    await done.getByRole("button", { name: "Reopen" }).click();
    await expect(page.locator(`.feed [data-section=completed] .feed-card[data-code="${code}"]`)).toHaveCount(0);
  }
  return (await open.first().getAttribute("data-code"))!;
}

async function complete(page: Page, code: string, hours = "1.5") {
  const card = page.locator(`.feed .feed-card[data-code="${code}"]`).first();
  await card.getByRole("button", { name: "Complete" }).click();
  await card.getByLabel("Actual hours").fill(hours);
  await card.getByRole("button", { name: "Mark complete" }).click();
}

async function block(page: Page, code: string, reason: string) {
  const card = page.locator(`.feed .feed-card[data-code="${code}"]`).first();
  await card.getByRole("button", { name: "Block" }).click();
  await card.getByLabel("Why is it blocked?").fill(reason);
  await card.getByRole("button", { name: "Mark blocked" }).click();
}

// What a phone does when the page goes to the background and back.
async function hideAndShow(page: Page) {
  await page.evaluate(() => {
    const set = (v: string) => Object.defineProperty(document, "visibilityState", { value: v, configurable: true });
    set("hidden");
    document.dispatchEvent(new Event("visibilitychange"));
    set("visible");
    document.dispatchEvent(new Event("visibilitychange"));
  });
}

test("the owner's changes reach a VIP's open page within a second, even after offline and background", async ({ browser }, testInfo) => {
  const viewport = testInfo.project.use.viewport ?? undefined;
  const owner = await browser.newContext({ viewport });
  const vip = await browser.newContext({ viewport, isMobile: testInfo.project.use.isMobile, hasTouch: testInfo.project.use.hasTouch });
  const jesse = await owner.newPage();
  const vera = await vip.newPage();
  const errors = watchErrors(vera);
  await signIn(jesse, "Jesse");
  await signIn(vera);
  for (const p of [jesse, vera]) await expect(p.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(vera.locator(".live-status")).toHaveAttribute("data-state", "live");
  await expect(jesse.locator(".live-status")).toHaveAttribute("data-state", "live");
  // A healthy stream is kept when the page is shown again: no new
  // connection (the old client tore it down on every visibilitychange).
  const streams: string[] = [];
  vera.on("request", (r) => {
    if (new URL(r.url()).pathname.endsWith("/events")) streams.push(r.url());
  });
  await hideAndShow(vera);
  await vera.evaluate(() => window.dispatchEvent(new Event("online")));
  await vera.waitForTimeout(500);
  expect(streams).toEqual([]);
  await expect(vera.locator(".live-status")).toHaveAttribute("data-state", "live");
  // A stream silent for longer than a ping was due (what iOS leaves after
  // the background) is replaced when the page is shown: here the page's
  // clock jumps a minute ahead instead.
  await vera.evaluate(() => {
    const w = window as any;
    w.realNow = Date.now;
    Date.now = () => w.realNow() + 60_000;
  });
  await hideAndShow(vera);
  await expect.poll(() => streams.length).toBe(1);
  await vera.evaluate(() => (Date.now = (window as any).realNow));
  await expect(vera.locator(".live-status")).toHaveAttribute("data-state", "live");
  // Set on Vera's page: still there at the end means it never reloaded.
  await vera.evaluate(() => ((window as any).neverReloaded = true));
  // A VIP gets no buttons.
  await expect(vera.getByRole("button", { name: "Complete" })).toHaveCount(0);
  // Server-function calls of Vera's page, and whether each was marked as a
  // reload caused by a live event (not her activity for the idle hour).
  const calls: { path: string; live: boolean }[] = [];
  vera.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (/\/api\/[a-z_]+$/.test(path)) calls.push({ path, live: r.headers()["x-rpm-live-reload"] === "1" });
  });

  // Complete: optimistic on Jesse's page, live on Vera's.
  const first = await openCode(jesse);
  let started = Date.now();
  await complete(jesse, first);
  await expect(jesse.locator(`.feed-card[data-code="${first}"]`).first()).toHaveClass(/action-completed/);
  await expect(vera.locator(`[data-section=completed] .feed-card[data-code="${first}"]`)).toBeVisible({ timeout: 1000 });
  const completeMs = Date.now() - started;

  // Block, with its reason.
  const second = await openCode(jesse);
  started = Date.now();
  await block(jesse, second, "waiting on the label");
  const blocked = vera.locator(`[data-section=blocked] .feed-card[data-code="${second}"]`);
  await expect(blocked).toBeVisible({ timeout: 1000 });
  await expect(blocked).toContainText("waiting on the label");
  const blockMs = Date.now() - started;
  await expect(vera.locator(".live-status")).toContainText("updated");
  console.log(`${testInfo.project.name}: complete seen by the VIP after ${completeMs} ms, block after ${blockMs} ms`);
  // Her panels reloaded for Jesse's changes: every such call was marked.
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.filter((c) => !c.live)).toEqual([]);

  // Vera goes offline and her page to the background; meanwhile Jesse
  // completes one more and reopens the blocked one.
  await vip.setOffline(true);
  await vera.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  const third = await openCode(jesse);
  await complete(jesse, third, "2");
  await jesse.locator(`.feed-card[data-code="${second}"]`).first().getByRole("button", { name: "Reopen" }).click();
  await expect(jesse.locator(`[data-section=blocked] .feed-card[data-code="${second}"]`)).toHaveCount(0);
  await vera.waitForTimeout(1500);
  await vip.setOffline(false);
  await hideAndShow(vera);
  await expect(vera.locator(`[data-section=completed] .feed-card[data-code="${third}"]`)).toHaveCount(1, { timeout: 10_000 });
  await expect(vera.locator(`[data-section=blocked] .feed-card[data-code="${second}"]`)).toHaveCount(0);
  await expect(vera.locator(`[data-section=completed] .feed-card[data-code="${first}"]`)).toHaveCount(1);
  await expect(vera.locator(".live-status")).toHaveAttribute("data-state", "live");
  expect(await vera.evaluate(() => (window as any).neverReloaded)).toBe(true);
  await jesse.locator(".feed").screenshot({ path: `screenshots/live-owner-feed-${testInfo.project.name}.png` });
  await vera.screenshot({ path: `screenshots/live-vip-${testInfo.project.name}.png` });
  // Errors from the offline stretch are the browser's network errors only.
  expect(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|net::|Failed to load resource|EventSource/.test(e))).toEqual([]);
  // Her own navigation is activity: its calls are not marked.
  calls.length = 0;
  await vera.getByRole("link", { name: "Songs" }).click();
  await expect(vera.locator("li.song").first()).toBeVisible();
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.filter((c) => c.live)).toEqual([]);
  await owner.close();
  await vip.close();
});

test("a change based on an old version is refused, rolled back and the current state shown", async ({ browser }, testInfo) => {
  const viewport = testInfo.project.use.viewport ?? undefined;
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  // This page hears no live updates, so it keeps showing the old version.
  await page.route("**/events**", (route) => route.abort());
  await signIn(page, "Jesse");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const code = await openCode(page);
  const other = await browser.newContext();
  const elsewhere = await other.newPage();
  await signIn(elsewhere, "Jesse");
  // The buttons work once the page has hydrated.
  await expect(elsewhere.locator("body")).toHaveAttribute("data-hydrated", "true");
  await complete(elsewhere, code);
  await expect(elsewhere.locator(`.feed-card[data-code="${code}"]`).first()).toHaveClass(/action-completed/);
  await other.close();

  const card = page.locator(`.feed .feed-card[data-code="${code}"]`).first();
  await card.getByRole("button", { name: "Block" }).click();
  await card.getByLabel("Why is it blocked?").fill("too late");
  await card.getByRole("button", { name: "Mark blocked" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "Not saved" });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText("changed since version");
  await alert.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `screenshots/live-conflict-${testInfo.project.name}.png` });
  // Then the page reloads the feed: the action as it is now.
  await expect(page.locator(`[data-section=completed] .feed-card[data-code="${code}"]`)).toHaveCount(1);
  await context.close();
});

test("without JavaScript Jesse still blocks, reopens and completes inline, and a refusal is said", async ({ browser }, testInfo) => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    viewport: testInfo.project.use.viewport ?? undefined,
  });
  const page = await context.newPage();
  await signIn(page, "Jesse");
  await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
  const code = await openCode(page);
  const inSection = (section: string) => page.locator(`.feed [data-section=${section}] .feed-card[data-code="${code}"]`);

  // "Block" opens its form through the address, the form posts, the
  // server sends the browser back to the page.
  await block(page, code, "waiting on the label");
  await expect(inSection("blocked")).toBeVisible();
  await expect(inSection("blocked").locator(".blocker")).toContainText("waiting on the label");
  await inSection("blocked").getByRole("button", { name: "Reopen" }).click();
  await expect(inSection("blocked")).toHaveCount(0);
  await complete(page, code, "2");
  await expect(inSection("completed")).toBeVisible();

  // A form left open on a page that is out of date: the server refuses
  // and the page says so.
  const other = await openCode(page);
  await page.goto(`./?open=${encodeURIComponent(other)}.block`);
  const stale = page.locator(`.feed .feed-card[data-code="${other}"]`).first();
  await expect(stale.getByLabel("Why is it blocked?")).toBeVisible();
  const elsewhere = await context.newPage();
  await elsewhere.goto("./");
  await complete(elsewhere, other, "1");
  await expect(elsewhere.locator(`.feed [data-section=completed] .feed-card[data-code="${other}"]`)).toHaveCount(1);
  await stale.getByLabel("Why is it blocked?").fill("too late");
  await stale.getByRole("button", { name: "Mark blocked" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "Not saved" });
  await expect(alert).toContainText("changed since version");
  await expect(page.locator(`.feed [data-section=completed] .feed-card[data-code="${other}"]`)).toHaveCount(1);
  await page.screenshot({ path: `screenshots/nojs-inline-${testInfo.project.name}.png` });
  await context.close();
});
