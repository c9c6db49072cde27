// The offline desk's service worker (served at /staff/sw.js, scope /staff/). It keeps the desk
// page and its static files; when a desk page cannot be fetched (no connection) it answers with
// the kept offline desk (for the desk, the circulation and the rotation pages), which works from
// the data in IndexedDB. Everything else goes to the
// network untouched. The server fills in ASSETS (hashed names) and SHELL.
const ASSETS = /*ASSETS*/[];
const SHELL = /*SHELL*/"";
const CACHE = "hoclieu-offline:" + ASSETS.join(",");
const DESK_PATHS = [SHELL, "/staff/circulation"];
// The rotation pages (a batch's receipt at a school, its return check at the centre) open the
// offline desk too when there is no connection: it receives and checks in batches from its data.
const ROTATION = /^\/staff\/rotation(\/\d+)?\/?$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([SHELL, ...ASSETS])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("hoclieu-offline") && n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && (DESK_PATHS.includes(url.pathname) || ROTATION.test(url.pathname))) {
    event.respondWith(fetch(request).then((response) => {
      if (url.pathname === SHELL && response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(SHELL, copy));
      }
      return response;
    }).catch(() => caches.match(SHELL, { ignoreSearch: true })));
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
