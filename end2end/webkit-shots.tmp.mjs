// Temporary: WebKit screenshots at three sizes for Vera and Jesse (not committed).
import { spawn } from "node:child_process";
import { remote } from "webdriverio";
const BASE = process.env.BASE ?? "http://127.0.0.1:3102/";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const driver = spawn("WebKitWebDriver", ["--port=4471"], { stdio: "ignore" });
await sleep(800);
try {
  for (const [who, label] of [["vera", "Vera"], ["jesse", "Jesse"]]) {
    for (const [w, h] of [[390, 844], [768, 1024], [1280, 800]]) {
      const b = await remote({ hostname: "127.0.0.1", port: 4471, path: "/", logLevel: "error",
        capabilities: { "webkitgtk:browserOptions": { binary: "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", args: ["--automation"] } } });
      await b.setWindowSize(w, h);
      await b.url(BASE + "login");
      const button = await b.$(`//button[contains(normalize-space(.), '${label}')]`);
      await button.waitForDisplayed({ timeout: 15000 });
      await button.click();
      await b.waitUntil(async () => (await b.$("body").getAttribute("data-hydrated")) === "true", { timeout: 15000 });
      for (const c of await b.$$(".chart")) { await c.scrollIntoView(); await sleep(300); }
      await sleep(800);
      await b.execute(() => window.scrollTo(0, 0));
      await sleep(300);
      const inner = await b.execute(() => [window.innerWidth, document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
      console.log(who, w, "inner/scrollW/scrollH", inner);
      await b.saveScreenshot(`/tmp/shots/webkit-${who}-${w}.png`);
      // the funnel and revenue panels
      const f = await b.$(".funnel"); await f.scrollIntoView(); await sleep(500);
      await b.saveScreenshot(`/tmp/shots/webkit-${who}-${w}-funnel.png`);
      const r = await b.$(".revenue"); await r.scrollIntoView(); await sleep(500);
      await b.saveScreenshot(`/tmp/shots/webkit-${who}-${w}-revenue.png`);
      await b.deleteSession();
    }
  }
} finally { driver.kill(); }
