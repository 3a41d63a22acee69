// The cockpit in WebKit, the engine of every iPhone browser: Debian's
// WebKitWebDriver driving MiniBrowser over W3C WebDriver (WebdriverIO,
// standalone), under Xvfb. Run by scripts/webkit-tests.sh against a running
// server (E2E_WEBKIT_URL, e.g. http://127.0.0.1:3101/cockpit/).
//
// One WebKitWebDriver holds one session, so each person gets a driver of
// their own: Vera (VIP) on a phone-sized window, Jesse on a desktop one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import net from "node:net";
import { remote } from "webdriverio";

const BASE = (process.env.E2E_WEBKIT_URL ?? "http://127.0.0.1:3100/").replace(/\/?$/, "/");
const MINIBROWSER =
  process.env.WEBKIT_MINIBROWSER ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const SHOTS = new URL("../screenshots/", import.meta.url).pathname;
const WAIT = 15_000;
mkdirSync(SHOTS, { recursive: true });

const drivers = [];
const upstream = new URL(BASE);

/** A TCP relay in front of the server, for one browser: `cut()` drops every
 * connection and refuses new ones (the network gone, as the browser sees
 * it), `restore()` lets them through again. */
async function relay() {
  const sockets = new Set();
  let down = false;
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    const server = net.connect(Number(upstream.port || 80), upstream.hostname);
    for (const s of [client, server]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.pipe(server).pipe(client);
    client.on("close", () => server.destroy());
    server.on("close", () => client.destroy());
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = new URL(BASE);
  url.port = String(server.address().port);
  return {
    base: url.href,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
    close: () => server.close(),
  };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A WebKitWebDriver on `port` and a MiniBrowser session of `width`×`height`. */
async function open(port, width, height) {
  const driver = spawn("WebKitWebDriver", [`--port=${port}`], { stdio: "ignore" });
  drivers.push(driver);
  for (let i = 0; i < 50; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/status`);
      break;
    } catch {
      await sleep(100);
    }
  }
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    path: "/",
    logLevel: "error",
    capabilities: {
      "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
    },
  });
  await browser.setWindowSize(width, height);
  return browser;
}

/** Signs `person` in through the local demo sign-in; waits for hydration. */
async function signIn(browser, person) {
  await browser.url(`${BASE}login`);
  const button = await browser.$(`//button[contains(normalize-space(.), '${person}')]`);
  await button.waitForDisplayed({ timeout: WAIT });
  await button.click();
  await browser.waitUntil(
    async () => (await browser.$("body").getAttribute("data-hydrated")) === "true",
    { timeout: WAIT, timeoutMsg: `${person}'s page did not hydrate` },
  );
  await browser.waitUntil(
    async () => (await browser.$(".live-status").getAttribute("data-state")) === "live",
    { timeout: WAIT, timeoutMsg: `${person}'s page is not live` },
  );
}

async function shot(browser, name) {
  await browser.saveScreenshot(`${SHOTS}webkit-${name}.png`);
}

/** Makes sure the week has `n` open actions Jesse can change: the Chromium
 * suites before this one may have completed most of them, so completed ones
 * are reopened (through the page, as Jesse would). */
async function ensureOpen(browser, n) {
  const open = () =>
    browser.$$("//*[contains(@class,'feed')]//li[contains(@class,'feed-card')][.//button[normalize-space()='Block']]");
  for (let i = 0; i < 10 && (await open()).length < n; i++) {
    const done = await browser.$(
      "//*[@data-section='completed']//li[contains(@class,'feed-card')][.//form[contains(@class,'reopen-form')]]",
    );
    assert.ok(await done.isExisting(), "no open action left and none completed to reopen");
    const code = await done.getAttribute("data-code");
    await press(browser, code, "Reopen");
    await browser.waitUntil(async () => !(await (await inSection(browser, "completed", code)).isExisting()), {
      timeout: WAIT,
      timeoutMsg: `${code} was not reopened`,
    });
  }
}

/** The code of an open action Jesse can change (in any section: the
 * Chromium suites before this one may have completed every action due soon). */
async function openCode(browser) {
  const card = await browser.$(
    "//*[contains(@class,'feed')]//*[contains(@class,'feed-card')][.//button[normalize-space()='Block']]",
  );
  await card.waitForExist({ timeout: WAIT });
  return card.getAttribute("data-code");
}

const card = (browser, code) => browser.$(`.feed .feed-card[data-code="${code}"]`);
const inSection = (browser, section, code) =>
  browser.$(`.feed [data-section=${section}] .feed-card[data-code="${code}"]`);

async function press(browser, code, label) {
  const button = await (await card(browser, code)).$(`.//button[normalize-space()='${label}']`);
  await button.scrollIntoView({ block: "center" });
  await button.click();
}

let vera;
let jesse;
let net_;

before(async () => {
  vera = await open(4461, 390, 844);
  jesse = await open(4462, 1280, 800);
});

after(async () => {
  for (const b of [vera, jesse]) await b?.deleteSession().catch(() => {});
  for (const d of drivers) d.kill();
  net_?.close();
});

test("a VIP signs in, the page hydrates and is live, with no horizontal scroll at 390 px", async () => {
  await signIn(vera, "Vera");
  await vera.$("#week-heading").waitForDisplayed({ timeout: WAIT });
  const widths = await vera.execute(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1], `the page is ${widths[0]} px wide in a ${widths[1]} px window`);
  assert.equal((await vera.$$("button=Complete")).length, 0, "a VIP gets no buttons");
  await shot(vera, "vip-390");
});

test("Jesse completes and blocks inline in WebKit; the VIP's WebKit page sees both live", async () => {
  await signIn(jesse, "Jesse");
  await ensureOpen(jesse, 2);
  const done = await openCode(jesse);
  await press(jesse, done, "Complete");
  const hours = await (await card(jesse, done)).$("input[name=actual_hours]");
  await hours.setValue("1.5");
  await press(jesse, done, "Mark complete");
  await jesse.waitUntil(async () => /action-completed/.test(await (await card(jesse, done)).getAttribute("class")), {
    timeout: WAIT,
    timeoutMsg: `${done} did not show as completed on Jesse's page`,
  });
  let started = Date.now();
  await (await inSection(vera, "completed", done)).waitForExist({ timeout: WAIT });
  const completeMs = Date.now() - started;

  const blocked = await openCode(jesse);
  await press(jesse, blocked, "Block");
  await (await (await card(jesse, blocked)).$("input[name=reason]")).setValue("waiting on the label");
  started = Date.now();
  await press(jesse, blocked, "Mark blocked");
  const seen = await inSection(vera, "blocked", blocked);
  await seen.waitForExist({ timeout: WAIT });
  const blockMs = Date.now() - started;
  assert.match(await seen.getText(), /waiting on the label/);
  console.log(`webkit: complete seen by the VIP after ${completeMs} ms, block after ${blockMs} ms`);
  await seen.scrollIntoView({ block: "center" });
  await shot(vera, "vip-live-390");
  await shot(jesse, "owner-1280");
  // Reopened: it leaves the VIP's blocked list too.
  await press(jesse, blocked, "Reopen");
  await vera.waitUntil(async () => !(await (await inSection(vera, "blocked", blocked)).isExisting()), {
    timeout: WAIT,
    timeoutMsg: `${blocked} stayed blocked on the VIP's page`,
  });
});

test("offline, the VIP's page keeps its data marked 'offline since'; back online it catches up", async () => {
  // Vera's page goes through a relay that can cut her network; Jesse's does not.
  net_ = await relay();
  await vera.url(net_.base);
  await vera.waitUntil(async () => (await vera.$(".live-status").getAttribute("data-state")) === "live", {
    timeout: WAIT,
    timeoutMsg: "the page behind the relay is not live",
  });
  await ensureOpen(jesse, 1);
  const code = await openCode(jesse);
  net_.cut();
  await vera.waitUntil(async () => (await vera.$(".live-status").getAttribute("data-state")) === "offline", {
    timeout: WAIT,
    timeoutMsg: "the page did not notice the network was gone",
  });
  const status = await vera.$(".live-status").getText();
  assert.match(status, /^Offline since \d\d:\d\d/, status);
  assert.ok(await (await vera.$("#week-heading")).isDisplayed(), "the last data left the screen");
  // Jesse completes an action while Vera is offline.
  await press(jesse, code, "Complete");
  await (await (await card(jesse, code)).$("input[name=actual_hours]")).setValue("2");
  await press(jesse, code, "Mark complete");
  await jesse.waitUntil(async () => /action-completed/.test(await (await card(jesse, code)).getAttribute("class")), {
    timeout: WAIT,
  });
  await vera.$(".live-status").scrollIntoView({ block: "center" });
  await shot(vera, "vip-offline-390");
  assert.ok(!(await (await inSection(vera, "completed", code)).isExisting()), "an offline page got the change");
  const back = Date.now();
  net_.restore();
  await (await inSection(vera, "completed", code)).waitForExist({ timeout: 20_000 });
  await vera.waitUntil(async () => (await vera.$(".live-status").getAttribute("data-state")) === "live", {
    timeout: WAIT,
  });
  console.log(`webkit: back online, the VIP saw the change made offline after ${Date.now() - back} ms`);
});

test("the notification settings read at 390 px and 1280 px in WebKit", async () => {
  for (const [browser, name, rules] of [[vera, "vip-390", 3], [jesse, "admin-1280", 8]]) {
    await browser.url(`${BASE}settings/notifications`);
    const heading = await browser.$("#notify-heading");
    await heading.waitForDisplayed({ timeout: WAIT });
    await browser.waitUntil(async () => (await browser.$$(".notify-rules tbody tr")).length === rules, {
      timeout: WAIT,
      timeoutMsg: `${name}: the rules grid`,
    });
    const widths = await browser.execute(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(widths[0] <= widths[1], `${name}: the page is ${widths[0]} px wide in a ${widths[1]} px window`);
    await shot(browser, `notifications-${name}`);
    await (await browser.$("#push-heading")).scrollIntoView({ block: "start" });
    await shot(browser, `notifications-push-${name}`);
  }
});
