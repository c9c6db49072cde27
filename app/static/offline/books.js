// Books saved for offline reading (issue 18.4). On the reader ([data-offline-book]): save the
// book (its reader pages, page texts and one image per page at this screen's size, as listed by
// /read/ID/offline.json, which only a book whose licence allows download gets), with progress,
// or remove it. On the saved books page (#saved-books): what is saved here and its size. Each
// book is one Cache Storage cache, "hoclieu-book:ID"; its list is written last, so a book whose
// saving was cut off shows as not completely saved. The reader's service worker (/read/sw.js,
// scope /read/) answers from these caches when there is no connection.
(() => {
  "use strict";
  const BOOK = "hoclieu-book:";
  const SW_URL = "/read/sw.js";
  const PARALLEL = 3;
  const textNode = document.getElementById("reader-offline-text");
  const T = textNode ? JSON.parse(textNode.dataset.text || "{}") : {};

  function say(key, params) {
    let message = T[key] || key;
    for (const [name, value] of Object.entries(params || {})) message = message.split("{" + name + "}").join(String(value));
    return message;
  }

  function size(bytes) {
    const lang = document.documentElement.lang || "vi";
    if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024)).toLocaleString(lang)} KB`;
    return `${(bytes / 1024 / 1024).toLocaleString(lang, { maximumFractionDigits: 1 })} MB`;
  }

  const supported = () => !!(window.caches && navigator.serviceWorker);

  async function listOf(id) {
    if (!(await caches.has(BOOK + id))) return null;
    const hit = await (await caches.open(BOOK + id)).match(`/read/${id}/offline.json`);
    return hit ? hit.json() : { object: id, incomplete: true };
  }

  async function savedBooks() {
    const names = (await caches.keys()).filter((n) => n.startsWith(BOOK));
    return Promise.all(names.map((n) => listOf(n.slice(BOOK.length))));
  }

  const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

  // One file into the book's cache (retried when the server asks to wait); returns its size.
  async function keep(cache, url, status) {
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.status === 429 && attempt < 3) {
        status(say("waiting"));
        await pause(Math.min(30, parseInt(response.headers.get("Retry-After") || "5", 10) || 5) * 1000);
        continue;
      }
      if (!response.ok) throw new Error(`${new URL(url, location.href).pathname}: ${response.status}`);
      const body = await response.blob();
      await cache.put(url, new Response(body, { status: response.status, statusText: response.statusText,
        headers: response.headers }));
      return body.size;
    }
  }

  async function saveBook(root, status, progress) {
    const id = root.dataset.offlineBook;
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => false);
    const width = Math.min(window.innerWidth || 360, (window.screen && window.screen.width) || 4000);
    const answer = await fetch(`${root.dataset.manifest}?width=${width}&format=webp`,
      { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!answer.ok) {
      let reason = String(answer.status);
      try { reason = (await answer.json()).error || reason; } catch (_) { /* not JSON */ }
      throw Object.assign(new Error(say("refused", { reason })), { refused: true });
    }
    const list = await answer.json();
    const registered = navigator.serviceWorker.register(SW_URL, { scope: "/read/" });
    await caches.delete(BOOK + id);
    const cache = await caches.open(BOOK + id);
    let bytes = 0;
    for (const url of list.assets) bytes += await keep(cache, url, status);
    let done = 0;
    const total = list.pages.length;
    progress.max = total;
    progress.hidden = false;
    const show = () => { progress.value = done; status(say("saving", { done, total })); };
    show();
    const pages = list.pages.slice();
    async function worker() {
      while (pages.length) {
        const page = pages.shift();
        for (const url of [page.reader, page.text, page.image]) bytes += await keep(cache, url, status);
        done += 1;
        show();
      }
    }
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const kept = Object.assign(list, { bytes, saved_at: new Date().toISOString() });
    await cache.put(`/read/${id}/offline.json`, new Response(JSON.stringify(kept),
      { headers: { "Content-Type": "application/json" } }));
    await registered;
    await navigator.serviceWorker.ready;
    return kept;
  }

  async function used() {
    try { return size((await navigator.storage.estimate()).usage || 0); } catch (_) { return "?"; }
  }

  function startReader(root) {
    const $ = (selector) => root.querySelector(selector);
    const button = $("[data-offline-save]");
    const remove = $("[data-offline-remove]");
    const progress = $("progress");
    const out = $("[data-offline-status]");
    const status = (message) => { out.textContent = message; };
    const id = root.dataset.offlineBook;

    async function refresh() {
      const list = await listOf(id);
      const saved = !!(list && !list.incomplete);
      button.hidden = saved;
      remove.hidden = !list;
      progress.hidden = true;
      status(saved ? say("saved", { pages: list.pages.length, size: size(list.bytes) })
        : list ? say("incomplete") : "");
    }

    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await saveBook(root, status, progress);
        await refresh();
      } catch (error) {
        if (!error.refused) await caches.delete(BOOK + id);
        progress.hidden = true;
        status(error.name === "QuotaExceededError" ? say("quota", { used: await used() })
          : error.refused ? error.message : say("failed", { reason: error.message }));
      } finally {
        button.disabled = false;
      }
    });
    remove.addEventListener("click", async () => {
      await caches.delete(BOOK + id);
      await refresh();
      status(say("removed"));
    });
    root.hidden = false;
    refresh();
  }

  async function showSaved(list) {
    const books = (await savedBooks()).filter(Boolean);
    list.textContent = "";
    let bytes = 0;
    for (const book of books) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = book.first || `/read/${book.object}/1`;
      link.textContent = book.title || `#${book.object}`;
      const about = document.createElement("span");
      about.className = "muted";
      about.textContent = book.incomplete ? ` — ${say("incomplete")}` : ` — ${say("item", {
        pages: book.pages.length, size: size(book.bytes), when: new Date(book.saved_at).toLocaleDateString("vi-VN") })}`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = say("remove");
      remove.addEventListener("click", async () => { await caches.delete(BOOK + book.object); showSaved(list); });
      item.append(link, about, " ", remove);
      list.append(item);
      bytes += book.bytes || 0;
    }
    document.getElementById("saved-empty").hidden = books.length > 0;
    document.getElementById("saved-total").textContent = books.length
      ? say("total", { count: books.length, size: size(bytes) }) : "";
  }

  if (!supported()) {
    const note = document.getElementById("saved-unsupported");
    if (note) note.hidden = false;
    return;
  }
  const root = document.querySelector("[data-offline-book]");
  if (root) startReader(root);
  const list = document.getElementById("saved-books");
  if (list) showSaved(list);
})();
