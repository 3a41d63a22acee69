// The notifications page's push button: turns Web Push on or off for this
// browser. On: asks for permission, subscribes with the cockpit's VAPID
// public key (the button's data-key) and gives the server the endpoint and
// keys (server function push_subscribe). Off: tells the server, then drops
// the subscription. The service worker (sw.js) shows what arrives.
(function () {
  const button = document.getElementById("push-toggle");
  if (!button) return;
  const status = document.getElementById("push-status");
  const base = (document.querySelector('meta[name="rpm-base"]') || {}).content || "";
  const say = (text) => { status.textContent = text; };
  const iPhone = /iPhone|iPad/.test(navigator.userAgent);
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    button.hidden = true;
    say(iPhone && !navigator.standalone
      ? "Add the cockpit to your Home Screen (Share, then Add to Home Screen) and open it from there to turn push on."
      : "This browser cannot show push notifications.");
    return;
  }
  const key = Uint8Array.from(
    atob(button.dataset.key.replace(/-/g, "+").replace(/_/g, "/")),
    (c) => c.charCodeAt(0),
  );
  const post = (fn, fields) =>
    fetch(`${base}/api/${fn}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams(fields),
    }).then((r) => (r.ok ? r : r.text().then((t) => Promise.reject(new Error(t || r.statusText)))));
  const device = () => {
    const ua = navigator.userAgent;
    const os = /iPhone/.test(ua) ? "iPhone" : /iPad/.test(ua) ? "iPad" : /Android/.test(ua) ? "Android"
      : /Mac OS X/.test(ua) ? "Mac" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
    const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox"
      : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
    return os ? `${browser} on ${os}` : browser;
  };
  let current = null;
  const show = (subscription) => {
    current = subscription;
    button.textContent = subscription ? "Turn off for this browser" : "Turn on for this browser";
    button.disabled = false;
  };
  // The worker is registered once the page is idle (app.rs).
  navigator.serviceWorker.ready
    .then((registration) => registration.pushManager.getSubscription())
    .then(show, () => {
      button.hidden = true;
      say("This browser cannot show push notifications.");
    });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const registration = await navigator.serviceWorker.ready;
      if (current) {
        await post("push_unsubscribe", { endpoint: current.endpoint }).catch(() => {});
        await current.unsubscribe();
        show(null);
        say("Off for this browser.");
        return;
      }
      if ((await Notification.requestPermission()) !== "granted") {
        show(null);
        say("Notifications are blocked for the cockpit in this browser's settings.");
        return;
      }
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: key,
      });
      const json = subscription.toJSON();
      await post("push_subscribe", {
        endpoint: json.endpoint,
        p256dh: json.keys.p256dh,
        auth: json.keys.auth,
        device: device(),
      });
      show(subscription);
      say("On: this browser shows the cockpit's notifications. Reload to see it listed.");
    } catch (e) {
      show(current);
      say(`Push could not be turned on: ${e.message}`);
    }
  });
})();
