// The service worker: keeps a copy of the app shell so the app opens without the relay and says
// it is offline. Network first (so a deploy shows at once), the copy when the network fails.
// /api/ is never cached or even touched: API answers hold private data and must be live.
// It also shows Web Push notifications (issue 17) and opens the app at their deep link on a tap.
const VERSION = "mc-shell-v12";
const SHELL = [
  "/", "/index.html", "/styles.css", "/manifest.webmanifest",
  "/app.js", "/api.js", "/badge.js", "/catalog.js", "/dom.js", "/diff.js", "/flags.js", "/i18n.js", "/intents.js", "/jcs.js", "/live.js", "/markdown.js", "/passkeys.js", "/push.js", "/signing.js", "/state_merge.js", "/taskcache.js",
  "/strings/en.js", "/strings/zh-CN.js",
  "/vendor/markdown-it.umd.min.js", "/vendor/markdown-it.LICENSE", "/vendor/README.md",
  "/screens/agent.js", "/screens/agent_parts.js", "/screens/agents.js", "/screens/approval.js", "/screens/codex.js",
  "/screens/composer.js", "/screens/conversation.js", "/screens/enroll.js", "/screens/history.js",
  "/screens/more.js", "/screens/my_passkeys.js", "/screens/notifications.js", "/screens/offline.js", "/screens/one_tap.js", "/screens/pairing.js", "/screens/people.js",
  "/screens/people_parts.js", "/screens/session.js", "/screens/session_parts.js", "/screens/sessions.js",
  "/screens/settings.js", "/screens/signin.js", "/screens/task.js", "/screens/task_parts.js", "/screens/task_route.js", "/screens/tasks.js",
  "/screens/turn_items.js", "/screens/turn_view.js", "/screens/users.js", "/screens/workspaces.js", "/screens/audit.js", "/screens/audit_sentences.js",
  "/nav_icons.js", "/screens/fingerprint_card.js", "/screens/home.js", "/screens/home_composer.js", "/screens/conversations.js", "/screens/codex_body.js",
  "/screens/passkey_nudge.js",
  "/icons/icon-192.png", "/icons/icon-512.png", "/icons/icon-maskable-512.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(VERSION)
      .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== VERSION).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  event.respondWith(networkFirst(request, url));
});

async function networkFirst(request, url) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") cache.put(request, response.clone());
    return response;
  } catch (err) {
    // Every app page is index.html (routes live in the #fragment); query strings do not matter here.
    const key = request.mode === "navigate" ? "/" : url.pathname;
    const cached = (await cache.match(key, { ignoreSearch: true })) || (await cache.match(request, { ignoreSearch: true }));
    if (cached) return cached;
    throw err;
  }
}

// --- notifications -------------------------------------------------------------------------------
// A push carries the relay's public payload (core/notifications.py): kind, title, body (never task
// text unless the operator turned includeText on), url (the app's deep link), tag (one per task and
// kind, so a newer one replaces the older) and waiting (how many requests wait for this person).

const REQUEST_WAITING = "request-waiting";

self.addEventListener("push", (event) => {
  event.waitUntil(showPush(readPayload(event)));
});

function readPayload(event) {
  try {
    return (event.data && event.data.json()) || {};
  } catch {
    return { body: event.data ? event.data.text() : "" }; // not JSON: show what came, never drop it silently
  }
}

async function showPush(payload) {
  const url = sameOriginUrl(payload.url);
  const options = {
    body: payload.body || "",
    tag: payload.tag || undefined,
    // A request that waits again (or still waits) should sound again even though it replaces a notification.
    renotify: !!payload.tag && payload.kind === REQUEST_WAITING,
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    data: { url, kind: payload.kind || "", taskId: payload.taskId || "", requestId: payload.requestId || "" },
  };
  await Promise.all([
    self.registration.showNotification(payload.title || "Mobile Codex", options),
    setBadge(payload.waiting),
  ]);
}

/** Only a link into this app: a payload must never send the person to another site. */
function sameOriginUrl(raw) {
  try {
    const url = new URL(raw || "/", self.location.origin);
    return url.origin === self.location.origin ? url.href : new URL("/", self.location.origin).href;
  } catch {
    return new URL("/", self.location.origin).href;
  }
}

async function setBadge(waiting) {
  if (typeof waiting !== "number" || !("setAppBadge" in self.navigator)) return;
  try {
    if (waiting > 0) await self.navigator.setAppBadge(waiting);
    else await self.navigator.clearAppBadge();
  } catch {
    /* the platform has no badge for this app (not installed): nothing to show it on */
  }
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openAt(sameOriginUrl(event.notification.data && event.notification.data.url)));
});

/** Focus an open app window and move it to the link (the route lives in the #fragment, so the app
 * follows it without a reload), or open a new window there. */
async function openAt(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (open) {
    const focused = await open.focus();
    open.postMessage({ type: "open", url });
    return focused;
  }
  return self.clients.openWindow(url);
}
