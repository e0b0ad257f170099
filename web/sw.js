// The service worker: keeps a copy of the app shell so the app opens without the relay and says
// it is offline. Network first (so a deploy shows at once), the copy when the network fails.
// /api/ is never cached or even touched: API answers hold private data and must be live.
const VERSION = "mc-shell-v4";
const SHELL = [
  "/", "/index.html", "/styles.css", "/manifest.webmanifest",
  "/app.js", "/api.js", "/catalog.js", "/dom.js", "/diff.js", "/flags.js", "/i18n.js", "/live.js", "/passkeys.js", "/taskcache.js",
  "/strings/en.js", "/strings/zh-CN.js",
  "/screens/agent.js", "/screens/agent_parts.js", "/screens/agents.js", "/screens/approval.js", "/screens/codex.js",
  "/screens/composer.js", "/screens/enroll.js", "/screens/history.js",
  "/screens/more.js", "/screens/my_passkeys.js", "/screens/offline.js", "/screens/pairing.js", "/screens/people.js",
  "/screens/people_parts.js", "/screens/session.js", "/screens/session_parts.js", "/screens/sessions.js",
  "/screens/settings.js", "/screens/signin.js", "/screens/task.js", "/screens/task_parts.js", "/screens/tasks.js",
  "/screens/turn_items.js", "/screens/users.js", "/screens/workspaces.js",
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
