// The cockpit's service worker: the last page seen, for a phone that opens
// the cockpit (from its home screen) without a network. Only page loads go
// through it: network first, the last good copy of that address when the
// network fails. Everything else (the hashed wasm, JavaScript and style
// sheet, kept a year by the browser's own cache; server functions; the live
// stream) is left to the browser. Signing out forgets every stored page.
const PAGES = "rpm-pages-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.mode !== "navigate") return;
  if (request.method !== "GET") {
    if (new URL(request.url).pathname.endsWith("/auth/logout")) event.waitUntil(caches.delete(PAGES));
    return;
  }
  event.respondWith(
    fetch(request)
      .then((response) => {
        const html = (response.headers.get("content-type") || "").startsWith("text/html");
        if (response.ok && html && !response.redirected) {
          const copy = response.clone();
          event.waitUntil(caches.open(PAGES).then((pages) => pages.put(request.url, copy)));
        }
        return response;
      })
      .catch(() =>
        caches
          .open(PAGES)
          .then((pages) => pages.match(request.url))
          .then((page) => page || Response.error()),
      ),
  );
});

// Web Push (docs/notifications.md): the server sends {title, body, url, tag},
// encrypted for this browser; the push service hands it here decrypted.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (_) {
    message = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(message.title || "RPM Cockpit", {
      body: message.body || "",
      tag: message.tag,
      icon: new URL("icons/icon-192.png", self.location).href,
      data: { url: message.url || self.registration.scope },
    }),
  );
});

// A tap on a notification opens its page, or brings an open one forward.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || self.registration.scope;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url === url && "focus" in w);
      return open ? open.focus() : self.clients.openWindow(url);
    }),
  );
});
