// cargo-leptos starts the server and the tests at the same moment; the
// server first starts its database. Wait until it answers.
import type { FullConfig } from "@playwright/test";

export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0].use.baseURL as string;
  const deadline = Date.now() + 120_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(new URL("readyz", baseURL.endsWith("/") ? baseURL : `${baseURL}/`));
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the cockpit at ${baseURL} did not become ready: ${last}`);
}
