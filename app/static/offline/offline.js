// Offline desks (issue 18). On every staff page: sign-out wipes this device's offline data (after
// trying to sync what waits). On pages with [data-offline-prepare]: prepare this device for a
// library's desk. On the offline desk (#offline-desk): lend, return and count visitors from the
// downloaded data, queue each action in IndexedDB, sync when the link is back, export the queue.
// Everything lives in one IndexedDB store "kv": device, pack, local (copy changes since the
// pack), queue (actions not yet synced), last (the last sync's report), today (visits counted),
// receipts and backs (the copies scanned of batches arriving here, or sent back here).
(() => {
  "use strict";
  const DB_NAME = "hoclieu-offline";
  const STORE = "kv";
  const SW_URL = "/staff/sw.js";
  const CHUNK = 500;
  const textNode = document.getElementById("offline-text");
  const T = textNode ? JSON.parse(textNode.dataset.text || "{}") : {};

  function say(key, params) {
    let message = T[key] || key;
    for (const [name, value] of Object.entries(params || {})) {
      message = message.split("{" + name + "}").join(String(value));
    }
    return message;
  }

  // ---- storage -------------------------------------------------------------------------------
  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function load(keys) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, "readonly");
        const out = {};
        for (const key of keys) {
          const request = tx.objectStore(STORE).get(key);
          request.onsuccess = () => { out[key] = request.result; };
        }
        tx.oncomplete = () => resolve(out);
        tx.onerror = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }

  // Writes several keys in one transaction: a queued action and the copy it changed go together.
  async function save(values) {
    mark(true);
    const db = await openDb();
    try {
      await new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, "readwrite");
        for (const [key, value] of Object.entries(values)) {
          if (value === undefined) tx.objectStore(STORE).delete(key);
          else tx.objectStore(STORE).put(value, key);
        }
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }

  async function hasData() {
    if (indexedDB.databases) {
      const names = (await indexedDB.databases()).map((d) => d.name);
      if (!names.includes(DB_NAME)) return false;
    }
    return true;
  }

  // A synchronous mark that this browser holds offline desk data: sign-out only waits (to sync
  // and wipe) where there is something to wipe, and otherwise goes at once.
  const MARK = "hoclieu-offline-data";
  function marked() {
    try { return window.localStorage.getItem(MARK) === "1"; } catch (_) { return true; }
  }
  function mark(on) {
    try {
      if (on) window.localStorage.setItem(MARK, "1"); else window.localStorage.removeItem(MARK);
    } catch (_) { /* storage refused: marked() then says true */ }
  }

  async function wipe() {
    mark(false);
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    if (window.caches) {
      for (const name of await caches.keys()) {
        if (name.startsWith("hoclieu-offline")) await caches.delete(name);
      }
    }
    if (navigator.serviceWorker) {
      for (const registration of await navigator.serviceWorker.getRegistrations()) {
        // only the desk's worker: the reader's (books saved for reading, scope /read/) stays
        if (new URL(registration.scope).pathname.startsWith("/staff/")) await registration.unregister();
      }
    }
  }

  // ---- the signed queue ------------------------------------------------------------------------
  async function hmacHex(key, body) {
    const enc = new TextEncoder();
    const cryptoKey = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" },
      false, ["sign"]);
    const signature = new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, enc.encode(body)));
    return Array.from(signature, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function envelope(device, actions) {
    const body = JSON.stringify({ device: device.uid, exported_at: new Date().toISOString(), actions });
    return { format: "hoclieu-offline-queue", version: 1, device: device.uid, body, hmac: await hmacHex(device.key, body) };
  }

  // The librarian's session ended (expired, signed out elsewhere, ended by an admin): the server
  // sends the sign-in page instead of an answer. The queue stays; signing in again lets it sync.
  class SignedOut extends Error {}

  function isSignedOut(response) {
    return response.status === 401
      || (response.redirected && new URL(response.url).pathname === "/login");
  }

  async function freshToken(device) {
    const response = await fetch(device.token_url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (isSignedOut(response)) throw new SignedOut("signed out");
    if (!response.ok || response.redirected) throw new Error(String(response.status));
    return (await response.json()).csrf_token;
  }

  async function errorOf(response) {
    try {
      return (await response.json()).error || String(response.status);
    } catch (_) {
      return String(response.status);
    }
  }

  // Sends what waits, in chunks; returns the last report, or throws with the server's reason.
  async function syncQueue() {
    const state = await load(["device", "queue"]);
    const device = state.device;
    let queue = state.queue || [];
    if (!device || !queue.length) return null;
    const token = await freshToken(device);
    let last = null;
    while (queue.length) {
      const part = queue.slice(0, CHUNK);
      const response = await fetch(device.sync_url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
        body: JSON.stringify(await envelope(device, part)),
      });
      if (isSignedOut(response)) throw new SignedOut("signed out");
      if (!response.ok) throw new Error(await errorOf(response));
      last = await response.json();
      const sent = new Set(part.map((a) => a.id));
      queue = ((await load(["queue"])).queue || []).filter((a) => !sent.has(a.id));
      await save({ queue, last });
    }
    return last;
  }

  async function downloadPack(device) {
    const response = await fetch(device.pack_url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok || response.redirected) throw new Error(await errorOf(response));
    return response.json();
  }

  async function installWorker() {
    if (!navigator.serviceWorker) return;
    await navigator.serviceWorker.register(SW_URL, { scope: "/staff/" });
    await navigator.serviceWorker.ready;
  }

  async function store(device, pack) {
    await save({ device, pack, local: {}, receipts: {}, backs: {}, today: { day: "", total: 0 } });
  }

  // ---- sign-out: sync what waits, then wipe ----------------------------------------------------
  function hookSignOut() {
    const form = document.querySelector('form[action$="/logout"]');
    if (!form) return;
    let done = false;
    form.addEventListener("submit", async (event) => {
      if (done || !marked()) return;
      event.preventDefault();
      try {
        if (await hasData()) {
          const state = await load(["device", "queue"]);
          if ((state.queue || []).length && navigator.onLine) {
            try { await syncQueue(); } catch (_) { /* what stays is counted below */ }
          }
          const waiting = ((await load(["queue"])).queue || []).length;
          const question = (form.dataset.offlineSignout || say("signout_pending")).split("{count}").join(String(waiting));
          if (waiting && !window.confirm(question)) return;
          if (state.device) {
            const token = form.querySelector('input[name="csrf_token"]');
            await fetch(`/staff/offline/devices/${state.device.uid}/revoke`, {
              method: "POST", credentials: "same-origin",
              headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
            }).catch(() => null);
          }
          await wipe();
        }
      } catch (_) { /* never keep anyone from signing out */ }
      done = true;
      form.submit();
    });
  }

  // ---- preparing a device ----------------------------------------------------------------------
  function hookPrepare() {
    const form = document.querySelector("form[data-offline-prepare]");
    const status = document.getElementById("offline-prepare-status");
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const show = (message) => { if (status) status.textContent = message; };
      try {
        const waiting = ((await load(["queue"])).queue || []).length;
        if (waiting) { show(say("pending_first", { count: waiting })); return; }
        show(say("preparing"));
        const response = await fetch(form.action, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) throw new Error(await errorOf(response));
        const info = await response.json();
        const device = { uid: info.device, key: info.key, expires_at: info.expires_at, library: info.library,
          pack_url: info.pack_url, sync_url: info.sync_url, token_url: info.token_url };
        const pack = await downloadPack(device);
        await store(device, pack);
        await installWorker();
        window.location.assign(info.desk_url);
      } catch (error) {
        show(say("prepare_failed", { reason: error.message }));
      }
    });
  }

  // ---- the offline desk ------------------------------------------------------------------------
  function startDesk(root) {
    const $ = (id) => document.getElementById(id);
    const statuses = JSON.parse(root.dataset.statuses || "{}");
    let device = null;
    let pack = null;
    let local = {};
    let copies = new Map();
    let readers = new Map();
    let reader = null;
    let syncing = false;

    function due(iso) {
      return iso ? new Date(iso).toLocaleDateString("vi-VN") : "";
    }

    function log(message, refused) {
      const item = document.createElement("li");
      item.textContent = `${new Date().toLocaleTimeString("vi-VN")} ${message}`;
      if (refused) item.className = "refused";
      $("offline-log").prepend(item);
    }

    function index() {
      copies = new Map();
      readers = new Map();
      if (!pack) return;
      for (const row of pack.copies) {
        copies.set(row[0], { barcode: row[0], title: pack.titles[row[1]] || "", type: row[2], status: row[3],
          card: row[4], due: row[5], batch: row[6] });
      }
      for (const row of pack.readers) readers.set(row[0], { card: row[0], name: row[1], blocked: !!row[2], reason: row[3] });
      for (const [barcode, change] of Object.entries(local)) {
        copies.set(barcode, Object.assign(copies.get(barcode) || { barcode, title: "", type: "book" }, change));
      }
    }

    function loansOf(card) {
      let count = 0;
      for (const copy of copies.values()) if (copy.card === card && copy.status === "on_loan") count += 1;
      return count;
    }

    function rule(type) {
      return (pack.rules && pack.rules[type]) || pack.default_rule;
    }

    function heldFor(barcode) {
      const hold = pack.holds.find((h) => h[2] === barcode && h[3] === "ready");
      return hold ? hold[0] : null;
    }

    async function refreshStatus() {
      const state = await load(["queue", "last"]);
      const waiting = (state.queue || []).length;
      const status = $("offline-status");
      status.textContent = navigator.onLine ? say("online") : say("offline");
      status.classList.toggle("is-offline", !navigator.onLine);
      $("offline-waiting").textContent = waiting ? say("waiting", { count: waiting }) : say("none_waiting");
      const report = $("offline-report");
      report.textContent = "";
      if (state.last && state.last.url) {
        const link = document.createElement("a");
        link.href = state.last.url;
        link.textContent = `${say("synced", state.last)} ${say("report")}`;
        report.append(link);
      }
    }

    async function queueAction(action, changes) {
      const state = await load(["queue"]);
      const queue = state.queue || [];
      const seq = queue.length ? queue[queue.length - 1].seq + 1 : 1;
      const full = Object.assign({ id: crypto.randomUUID(), seq, at: new Date().toISOString(),
        staff: pack.staff.id, device: device.uid, card: "", barcode: "", count: 0, group: "", batch: "" }, action);
      queue.push(full);
      const values = { queue };
      if (changes) {
        Object.assign(local, changes);
        values.local = local;
      }
      await save(values);
      index();
      await refreshStatus();
      return full;
    }

    function showReader() {
      const out = $("offline-reader");
      out.textContent = reader
        ? say("reader", { name: reader.name, card: reader.card, count: loansOf(reader.card) }) : "";
      if (reader && reader.blocked) out.textContent += " — " + say("blocked", { name: reader.name, reason: reader.reason || "—" });
    }

    function onCard(event) {
      event.preventDefault();
      const input = $("offline-card");
      const card = input.value.trim().toUpperCase();
      reader = readers.get(card) || null;
      if (!reader) {
        log(say("unknown_card", { card }), true);
        input.select();
        showReader();
        return;
      }
      showReader();
      $("offline-lend").focus();
    }

    async function onLend(event) {
      event.preventDefault();
      const input = $("offline-lend");
      const barcode = input.value.trim().toUpperCase();
      input.value = "";
      input.focus();
      if (!barcode) return;
      if (!reader) { log(say("scan_card_first"), true); $("offline-card").focus(); return; }
      const copy = copies.get(barcode);
      const refuse = (key, params) => log(`${barcode} — ${say(key, Object.assign({ barcode }, params))}`, true);
      if (reader.blocked) return refuse("blocked", { name: reader.name, reason: reader.reason || "—" });
      if (!copy) return refuse("unknown_copy");
      if (copy.status === "on_loan" && copy.card === reader.card) return refuse("twice");
      if (copy.status === "on_loan") return refuse("on_loan", { due: due(copy.due) });
      if (copy.status !== "available") return refuse("not_lendable", { status: statuses[copy.status] || copy.status });
      const holder = heldFor(barcode);
      if (holder && holder !== reader.card) return refuse("set_aside");
      const [days, , most] = rule(copy.type);
      const count = loansOf(reader.card);
      if (count >= most) return refuse("too_many", { name: reader.name, count, limit: most });
      const at = new Date();
      const dueAt = new Date(at.getTime() + days * 86400000).toISOString();
      await queueAction({ kind: "checkout", card: reader.card, barcode, at: at.toISOString() },
        { [barcode]: { status: "on_loan", card: reader.card, due: dueAt } });
      log(say("lent", { barcode, title: copy.title, name: reader.name, due: due(dueAt) }));
      showReader();
    }

    async function onReturn(event) {
      event.preventDefault();
      const input = $("offline-return");
      const barcode = input.value.trim().toUpperCase();
      input.value = "";
      input.focus();
      if (!barcode) return;
      const copy = copies.get(barcode);
      await queueAction({ kind: "checkin", barcode }, { [barcode]: { status: "available", card: "", due: "" } });
      if (copy && copy.status === "on_loan") log(say("returned", { barcode, title: copy.title }));
      else log(say("return_unexpected", { barcode }), true);
      showReader();
    }

    async function onVisit(event) {
      event.preventDefault();
      const input = $("offline-visit-count");
      const count = parseInt(input.value, 10);
      if (!(count >= 1 && count <= 1000)) { input.select(); return; }
      const group = $("offline-visit-group").value;
      // Ready for the next count now: the writes below take a moment, and a librarian (or a
      // scanner) who moves on to a reader's card meanwhile must keep that field.
      input.value = "1";
      input.focus();
      await queueAction({ kind: "visit", count, group });
      const day = new Date().toDateString();
      const today = (await load(["today"])).today || {};
      const total = (today.day === day ? today.total : 0) + count;
      await save({ today: { day, total } });
      log(say("visits", { count, total }));
    }

    // Rotation batches: on their way here (a school scans what arrived, then finishes the
    // receipt), or sent back here (the centre checks in what came back, then finishes the check).
    // Each kind keeps its scans in its own key ("receipts", "backs").
    function batchDesk(kind) {
      const ids = kind.ids;
      let state = {};

      function open() {
        return ((pack && pack[kind.list]) || []).filter((b) => !(state[b[0]] || {}).finished);
      }

      function show() {
        const batches = open();
        $(ids.section).hidden = !batches.length;
        const select = $(ids.select);
        const chosen = select.value;
        select.textContent = "";
        for (const [code, from] of batches) {
          const option = document.createElement("option");
          option.value = code;
          option.textContent = `${code} — ${from}`;
          select.append(option);
        }
        if (batches.some((b) => b[0] === chosen)) select.value = chosen;
        const batch = batches.find((b) => b[0] === select.value);
        $(ids.count).textContent = batch ? say(kind.count, { batch: batch[0],
          scanned: ((state[batch[0]] || {}).scanned || []).length, total: batch[2].length }) : "";
      }

      async function onScan(event) {
        event.preventDefault();
        const input = $(ids.input);
        const barcode = input.value.trim().toUpperCase();
        const code = $(ids.select).value;
        input.value = "";
        input.focus();
        const batch = open().find((b) => b[0] === code);
        if (!barcode || !batch) return;
        const scans = state[code] || { scanned: [], finished: false };
        if (scans.scanned.includes(barcode)) { log(say("received_twice", { barcode }), true); return; }
        scans.scanned.push(barcode);
        state[code] = scans;
        const inBatch = batch[2].includes(barcode);
        await save({ [kind.key]: state });
        await queueAction({ kind: kind.scan, batch: code, barcode },
          inBatch ? { [barcode]: { status: "available", card: "", due: "" } } : null);
        log(say(inBatch ? kind.scanned : "not_in_batch", { barcode, batch: code }), !inBatch);
        show();
      }

      async function onFinish() {
        const code = $(ids.select).value;
        const batch = open().find((b) => b[0] === code);
        const scans = state[code];
        if (!batch) return;
        if (!scans || !scans.scanned.length) { log(say("receipt_empty"), true); $(ids.input).focus(); return; }
        scans.finished = true;
        await save({ [kind.key]: state });
        await queueAction({ kind: kind.finish, batch: code });
        const missing = batch[2].filter((b) => !scans.scanned.includes(b)).length;
        log(say(kind.finished, { batch: code, missing }));
        show();
      }

      $(ids.form).addEventListener("submit", onScan);
      $(ids.finishButton).addEventListener("click", onFinish);
      $(ids.select).addEventListener("change", show);
      return {
        key: kind.key,
        set(value) { state = value || {}; show(); },
      };
    }

    const batchDesks = [
      batchDesk({ list: "batches", key: "receipts", scan: "receive", finish: "finish_receipt",
        count: "receipt_count", scanned: "received", finished: "receipt_finished",
        ids: { section: "offline-receipt", select: "offline-batch", form: "offline-receive-form",
          input: "offline-receive", count: "offline-receipt-count", finishButton: "offline-finish" } }),
      batchDesk({ list: "returns", key: "backs", scan: "batch_return", finish: "finish_return",
        count: "back_count", scanned: "back_scanned", finished: "back_finished",
        ids: { section: "offline-back", select: "offline-back-batch", form: "offline-back-form",
          input: "offline-back-scan", count: "offline-back-count", finishButton: "offline-back-finish" } }),
    ];

    function setBatches(values) {
      for (const desk of batchDesks) desk.set(values[desk.key]);
    }

    async function sync() {
      if (syncing || !navigator.onLine || !device) return;
      const waiting = ((await load(["queue"])).queue || []).length;
      if (!waiting) return;
      syncing = true;
      $("offline-status").textContent = say("syncing");
      try {
        const report = await syncQueue();
        signedOut(0);
        if (report) log(say("synced", report));
        if (!((await load(["queue"])).queue || []).length && pack) {
          try {
            pack = await downloadPack(device);
            local = {};
            await save({ pack, local, receipts: {}, backs: {} });
            setBatches({});
            index();
            showData();
          } catch (_) { /* the old data stays until the next sync */ }
        }
      } catch (error) {
        if (error instanceof SignedOut) signedOut(((await load(["queue"])).queue || []).length);
        else log(say("sync_failed", { reason: error.message }), true);
      } finally {
        syncing = false;
        await refreshStatus();
      }
    }

    // Said once, and kept in view until a sync goes through (the automatic retries stay quiet).
    function signedOut(waiting) {
      const banner = $("offline-signin");
      if (waiting && banner.hidden) log(say("signed_out", { count: waiting }), true);
      banner.querySelector("span").textContent = waiting ? say("signed_out", { count: waiting }) + " " : "";
      banner.hidden = !waiting;
    }

    async function exportQueue() {
      const queue = (await load(["queue"])).queue || [];
      if (!queue.length || !device) { log(say("nothing_to_export"), true); return; }
      const data = JSON.stringify(await envelope(device, queue));
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([data], { type: "application/json" }));
      const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
      link.download = `hoclieu-queue-${(device.library || {}).code || "desk"}-${stamp}.json`;
      document.body.append(link);
      link.click();
      link.remove();
      log(say("exported", { count: queue.length }));
    }

    async function loadFile(event) {
      const file = event.target.files[0];
      if (!file) return;
      try {
        const data = JSON.parse(await file.text());
        if (data.format !== "hoclieu-offline-device" || !data.pack || !data.key) throw new Error(say("bad_file"));
        const waiting = ((await load(["queue"])).queue || []).length;
        if (waiting) throw new Error(say("pending_first", { count: waiting }));
        await store({ uid: data.device, key: data.key, expires_at: data.expires_at, library: data.library,
          pack_url: data.pack_url, sync_url: data.sync_url, token_url: data.token_url }, data.pack);
        if (navigator.onLine) await installWorker().catch(() => null);
        await begin();
      } catch (error) {
        $("offline-unprepared-text").textContent = error.message;
      }
    }

    function showData() {
      $("offline-library").textContent = `— ${pack.library.name}`;
      $("offline-data").textContent = `${say("prepared", { library: pack.library.name, when: due(device.expires_at) })} `
        + say("data", { copies: pack.copies.length, readers: pack.readers.length, when: due(pack.prepared_at) });
    }

    async function begin() {
      const state = await load(["device", "pack", "local", "queue", "receipts", "backs"]);
      device = state.device || null;
      pack = state.pack || null;
      local = state.local || {};
      const waiting = (state.queue || []).length;
      if (device && new Date(device.expires_at) <= new Date()) {
        // Expired: the desk data goes; actions not yet synced stay until they are synced or exported.
        await save({ pack: undefined, local: undefined, receipts: undefined, backs: undefined });
        pack = null;
        $("offline-unprepared-text").textContent = say("expired", { when: due(device.expires_at) })
          + (waiting ? " " + say("expired_queue", { count: waiting }) : "");
      } else if (!pack) {
        $("offline-unprepared-text").textContent = say("not_prepared");
      }
      $("offline-unprepared").hidden = !!pack;
      $("offline-work").hidden = !pack;
      if (pack) {
        index();
        showData();
        setBatches(state);
        $("offline-card").focus();
      }
      await refreshStatus();
      sync();
    }

    $("offline-card-form").addEventListener("submit", onCard);
    $("offline-lend-form").addEventListener("submit", onLend);
    $("offline-return-form").addEventListener("submit", onReturn);
    $("offline-visit-form").addEventListener("submit", onVisit);
    $("offline-sync").addEventListener("click", sync);
    $("offline-export").addEventListener("click", exportQueue);
    $("offline-load").addEventListener("change", loadFile);
    window.addEventListener("online", () => { refreshStatus(); sync(); });
    window.addEventListener("offline", refreshStatus);
    setInterval(sync, 20000);
    begin();
  }

  hookSignOut();
  hookPrepare();
  const desk = document.getElementById("offline-desk");
  if (desk) startDesk(desk);
})();
