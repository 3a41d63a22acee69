import { test, expect } from "@playwright/test";
import { home, mountPath, signIn, watchErrors, expectNoHorizontalScroll } from "./helpers";

test("an anonymous visitor is sent to the sign-in page with the marked demo sign-in", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await page.goto("./");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  const demo = page.locator("[data-demo]");
  await expect(demo).toContainText("local only");
  for (const person of ["Jesse", "Vera (VIP)", "Quinn (QA team)"]) {
    const button = demo.getByRole("button", { name: person });
    await expect(button).toBeVisible();
    const box = await button.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
  }
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: `screenshots/login-${testInfo.project.name}.png` });
  expect(errors).toEqual([]);
});

test("a VIP signs in, sees who they are, hydrates under the CSP, and signs out", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  const violations: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as any).__cspViolations = [...((window as any).__cspViolations ?? []), e.violatedDirective];
    });
  });
  const response = await page.goto("login");
  expect(response!.headers()["content-security-policy"]).toContain("default-src 'none'");
  await page.getByRole("button", { name: "Vera (VIP)" }).click();
  await expect(page).toHaveURL(home(testInfo.project.use.baseURL));
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const menu = page.locator(".user-menu");
  await expect(menu).toContainText("Vera (VIP)");
  await expect(menu.locator(".role-badge")).toHaveText("vip");
  violations.push(...(await page.evaluate(() => (window as any).__cspViolations ?? [])));
  expect(violations).toEqual([]);
  await page.screenshot({ path: `screenshots/signed-in-${testInfo.project.name}.png` });

  await menu.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("./");
  await expect(page).toHaveURL(/\/login$/, { timeout: 5_000 });
  expect(errors).toEqual([]);
});

test("a page the hydrating app loads carries a nonce policy", async ({ page }, testInfo) => {
  await page.goto("login");
  await page.getByRole("button", { name: "Jesse" }).click();
  // Signed in (the session cookie set) before asking for the page again.
  await expect(page).toHaveURL(home(testInfo.project.use.baseURL));
  const response = await page.goto("./");
  const csp = response!.headers()["content-security-policy"];
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}' 'wasm-unsafe-eval'/);
  expect(csp).toContain("frame-ancestors 'none'");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
});

test("someone not on the guest list sees the not-invited page and stays signed out", async ({ page }, testInfo) => {
  await page.goto("login");
  // As if a stranger's account came back from the provider.
  await page.locator("[data-demo] input[name=email]").first().evaluate((input: HTMLInputElement) => {
    input.value = "stranger@example.org";
  });
  await page.locator("[data-demo] button").first().click();
  await expect(page.getByRole("heading", { name: "Not invited" })).toBeVisible();
  await expect(page.getByText("stranger@example.org is not on the cockpit's guest list")).toBeVisible();
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: `screenshots/not-invited-${testInfo.project.name}.png` });
  await page.goto("./");
  await expect(page).toHaveURL(/\/login$/);
});

test("the app can be added to the home screen", async ({ page, request }, testInfo) => {
  await page.goto("login");
  const mount = mountPath(testInfo.project.use.baseURL);
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", `${mount}/manifest.webmanifest`);
  const manifestUrl = new URL("manifest.webmanifest", page.url());
  const manifest = await (await request.get(manifestUrl.href)).json();
  expect(manifest.display).toBe("standalone");
  // Relative to the manifest: the cockpit's home, wherever it is mounted.
  expect(new URL(manifest.start_url, manifestUrl).pathname).toBe(`${mount}/`);
  expect(new URL(manifest.scope, manifestUrl).pathname).toBe(`${mount}/`);
  for (const icon of manifest.icons) {
    const res = await request.get(new URL(icon.src, manifestUrl).href);
    expect(res.ok()).toBeTruthy();
    expect(res.headers()["content-type"]).toContain("image/png");
  }
  expect((await request.get(`${mount}/icons/icon-180.png`)).ok()).toBeTruthy();
});

test("the page's files have hashed names, come precompressed and are kept for a year", async ({ page }, testInfo) => {
  const files: { path: string; headers: Record<string, string> }[] = [];
  page.on("response", async (r) => {
    const path = new URL(r.url()).pathname;
    if (path.includes("/pkg/")) files.push({ path, headers: await r.allHeaders() });
  });
  await page.goto("login");
  await page.getByRole("button", { name: "Vera (VIP)" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const mount = mountPath(testInfo.project.use.baseURL);
  for (const kind of ["css", "js", "wasm"]) {
    const hashed = new RegExp(`^${mount}/pkg/rpm-cockpit\\.[A-Za-z0-9_-]{8,}\\.${kind}$`);
    // One name per kind (the sign-in page and the app link the same sheet).
    expect(new Set(files.map((f) => f.path).filter((p) => hashed.test(p))).size, kind).toBe(1);
  }
  for (const { path, headers } of files) {
    expect(headers["cache-control"], path).toBe("public, max-age=31536000, immutable");
    // Built with --precompress: the brotli (or gzip) copy, as it is.
    expect(["br", "gzip"], path).toContain(headers["content-encoding"]);
  }
});

test("a repeat visit takes the wasm, JavaScript and style sheet from the browser's cache", async ({ page }) => {
  await page.goto("login");
  await page.getByRole("button", { name: "Vera (VIP)" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  // Chromium's own account of where each response came from.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const fetched: { path: string; cached: boolean }[] = [];
  const cached = new Set<string>();
  cdp.on("Network.requestServedFromCache", (e: any) => cached.add(e.requestId));
  cdp.on("Network.responseReceived", (e: any) => {
    const path = new URL(e.response.url).pathname;
    if (!path.includes("/pkg/")) return;
    const fromCache = e.response.fromDiskCache || e.response.fromMemoryCache || cached.has(e.requestId);
    fetched.push({ path, cached: fromCache });
  });
  // Coming back to the cockpit (a new navigation to it, as from a link or
  // the home screen).
  await page.goto(page.url());
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const kinds = new Set(fetched.map((f) => f.path.split(".").pop()));
  for (const kind of ["css", "js", "wasm"]) expect(kinds, kind).toContain(kind);
  expect(fetched.filter((f) => !f.cached)).toEqual([]);
});

test("opened without a network, the cockpit shows the last page it had, marked offline; signing out forgets it", async ({ browser }, testInfo) => {
  const context = await browser.newContext({
    serviceWorkers: "allow",
    viewport: testInfo.project.use.viewport ?? undefined,
    isMobile: testInfo.project.use.isMobile,
    hasTouch: testInfo.project.use.hasTouch,
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signIn(page);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  // The worker keeps each page it serves: load the cockpit once through it.
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const stored = () => page.evaluate(async () => (await (await caches.open("rpm-pages-v1")).keys()).length);
  await expect.poll(stored).toBeGreaterThan(0);
  const heading = await page.locator("#week-heading").textContent();

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator("#week-heading")).toHaveText(heading!);
  await expect(page.locator(".results .result-card")).toHaveCount(5);
  // It hydrates from the browser's cache and says how old it is.
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator(".live-status")).toHaveAttribute("data-state", "offline");
  await expect(page.locator(".live-status")).toContainText(/^Offline since \d\d:\d\d/);
  await page.screenshot({ path: `screenshots/offline-start-${testInfo.project.name}.png` });

  await context.setOffline(false);
  await page.reload();
  await expect(page.locator(".live-status")).toHaveAttribute("data-state", "live");
  const menu = page.locator(".user-menu");
  await menu.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/login/);
  // Only the sign-in page it was sent to is left.
  const pages = () =>
    page.evaluate(async () => (await (await caches.open("rpm-pages-v1")).keys()).map((r) => new URL(r.url).pathname));
  await expect.poll(pages).toEqual([expect.stringMatching(/\/login$/)]);
  expect(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource|EventSource/.test(e))).toEqual([]);
  await context.close();
});
