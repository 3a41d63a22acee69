import { expect, type Page, type ConsoleMessage } from "@playwright/test";

// Collects console errors and uncaught exceptions of a page.
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return errors;
}

// Signs in through the local demo sign-in (the e2e server has no Google
// client id and runs on its embedded database on loopback).
export async function signIn(page: Page, person = "Vera (VIP)") {
  await page.goto("/login");
  await page.getByRole("button", { name: person }).click();
  await expect(page).toHaveURL(/\/$/);
}
