import { test, expect, type Page, type ConsoleMessage } from "@playwright/test";

// Collects console errors and uncaught exceptions of a page.
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return errors;
}

// Addresses in tests are relative ("login", "./"): the project's baseURL
// ends in "/" and may carry a mount path (http://host/cockpit/).
// The cockpit's home page: the baseURL itself, with or without its "/".
export function home(baseURL: string | undefined): RegExp {
  const root = (baseURL ?? "").replace(/\/$/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${root}/?$`);
}

// The mount path of the project's baseURL: "" at the root, "/cockpit".
export function mountPath(baseURL: string | undefined): string {
  return new URL(baseURL ?? "http://x/").pathname.replace(/\/$/, "");
}

// Signs in through the local demo sign-in (the e2e server has no Google
// client id and runs on its embedded database on loopback).
export async function signIn(page: Page, person = "Vera (VIP)") {
  await page.goto("login");
  await page.getByRole("button", { name: person }).click();
  await expect(page).toHaveURL(home(test.info().project.use.baseURL));
}

// No horizontal scroll: the page is no wider than the project's viewport.
// Measured against the viewport set, not window.innerWidth: on a phone a
// page that is too wide widens the layout viewport (and innerWidth) with it,
// so comparing with innerWidth cannot fail there.
export async function expectNoHorizontalScroll(page: Page) {
  const viewport = page.viewportSize();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(viewport!.width);
}
