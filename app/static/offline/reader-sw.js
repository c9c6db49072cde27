// The public reader's service worker (served at /read/sw.js, scope /read/), installed when a
// resident saves a book for offline reading. Each saved book is one cache, "hoclieu-book:ID",
// filled by books.js through the reader's and IIIF's own routes (which apply the licence rule),
// with its list (/read/ID/offline.json) written last. With a link, pages come from the network;
// without one, a saved book's pages, texts and images come from its cache (any size of a saved
// page's image is answered with the one saved). Other books and pages are left to the network.
// The server fills in ASSETS (hashed names) and SAVED (the saved books page).
const ASSETS = /*ASSETS*/[];
const SAVED = /*SAVED*/"";
const SHELL = "hoclieu-reader:" + ASSETS.join(",");
const BOOK = "hoclieu-book:";
const READER = /^\/read\/(\d+)(?:\/(\d+)(\/text)?)?\/?$/;
const IMAGE = /^\/iiif\/(\d+)\/(\d+)\//;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll([SAVED, ...ASSETS])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("hoclieu-reader:") && n !== SHELL)
      .map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

// The saved book's cache, or null when the book is not (completely) saved.
async function savedBook(id) {
  const name = BOOK + id;
  if (!(await caches.has(name))) return null;
  const cache = await caches.open(name);
  const list = await cache.match(`/read/${id}/offline.json`);
  return list ? { cache, list: await list.json() } : null;
}

async function readerPage(request, url, match) {
  const book = await savedBook(match[1]);
  if (!book) return fetch(request);
  try {
    return await fetch(request);
  } catch (offline) {
    let path = url.pathname;
    if (!match[2]) {  // /read/ID and its "go to page" form: the page asked for, within the book
      const wanted = parseInt(url.searchParams.get("page") || "1", 10) || 1;
      path = `/read/${match[1]}/${Math.max(1, Math.min(wanted, book.list.pages.length))}`;
    }
    const hit = await book.cache.match(path, { ignoreSearch: true, ignoreVary: true });
    if (hit) return hit;
    throw offline;
  }
}

async function pageImage(request, match) {
  const book = await savedBook(match[1]);
  if (!book) return fetch(request);
  const exact = await book.cache.match(request, { ignoreVary: true });
  if (exact) return exact;
  try {
    return await fetch(request);
  } catch (offline) {
    const page = book.list.pages.find((p) => p.number === parseInt(match[2], 10));
    const hit = page && await book.cache.match(page.image, { ignoreVary: true });
    if (hit) return hit;
    throw offline;
  }
}

async function networkFirst(request, cacheName) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      caches.open(cacheName).then((cache) => cache.put(request.url, copy));
    }
    return response;
  } catch (offline) {
    const hit = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
    if (hit) return hit;
    throw offline;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SAVED) {
    event.respondWith(networkFirst(request, SHELL));
    return;
  }
  const reader = url.pathname.match(READER);
  if (reader) {
    event.respondWith(readerPage(request, url, reader));
    return;
  }
  const image = url.pathname.match(IMAGE);
  if (image) {
    event.respondWith(pageImage(request, image));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request, { ignoreVary: true }).then((hit) => hit || fetch(request)));
  }
});
