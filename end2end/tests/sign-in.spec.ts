import { test, expect } from "@playwright/test";
import { home, mountPath, watchErrors } from "./helpers";

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
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
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
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
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
