import { defineConfig, devices } from "@playwright/test";
import { existsSync } from "node:fs";

// The cockpit under test: `cargo leptos end-to-end` starts it; scripts/test.sh
// points it at a private address and data directory (RPM_SITE_ADDR).
const baseURL = `http://${process.env.RPM_SITE_ADDR ?? "127.0.0.1:3000"}`;
// scripts/test.sh runs the sign-in and live tests a second time against a
// cockpit mounted under a path (public_url http://<addr>/cockpit), as it is
// deployed at https://heritage.com/cockpit: E2E_MOUNTED_URL names it.
const mountedURL = process.env.E2E_MOUNTED_URL;

// Debian's Chromium when present (machines without a browser download);
// Playwright's own browser on an ordinary machine.
const systemChromium = "/usr/bin/chromium";
const launchOptions = existsSync(systemChromium)
  ? {
      executablePath: systemChromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    }
  : {};

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  // The cockpit's service worker (public/sw.js) serves page loads; the
  // tests that route or cut requests see them only without it. Its own
  // test (sign-in.spec.ts) opens a context that allows it.
  use: { baseURL, trace: "retain-on-failure", serviceWorkers: "block" },
  projects: mountedURL
    ? [
        {
          name: "mounted",
          testMatch: /(sign-in|live)\.spec\.ts/,
          use: {
            ...devices["Desktop Chrome"],
            viewport: { width: 1280, height: 800 },
            launchOptions,
            baseURL: mountedURL.endsWith("/") ? mountedURL : `${mountedURL}/`,
          },
        },
      ]
    : [
        {
          name: "desktop",
          use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, launchOptions },
        },
        {
          name: "iphone",
          // iPhone 14-sized viewport and touch, rendered by Chromium.
          use: {
            viewport: { width: 390, height: 844 },
            deviceScaleFactor: 3,
            isMobile: true,
            hasTouch: true,
            userAgent: devices["iPhone 14"].userAgent,
            launchOptions,
          },
        },
      ],
});
