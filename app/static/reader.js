// Reader improvements; the page works without them (plain links and images).
// Zoom and pan, keyboard (arrows, +/-), swipe to turn pages, a sharper image when zoomed; a light
// first image sharpened, the next page prefetched; full screen, two pages side by side on wide
// screens, and the reading position remembered per book (localStorage).
(function () {
  "use strict";
  var reader = document.querySelector(".reader");
  if (!reader) return;
  var viewport = reader.querySelector(".viewport");
  var stage = reader.querySelector(".stage");
  var img = reader.querySelector(".page-image");
  var bar = reader.querySelector(".zoombar");
  var zoom = 1, pageWidth = +reader.dataset.width, base = reader.dataset.iiif;
  var sizes = (stage.dataset.sizes || "").split(",").map(Number).filter(Boolean);
  bar.hidden = false;

  // Show another rendering of the page once it has loaded (the light one stays until then).
  function show(url, then) {
    var sharper = new Image();
    sharper.onload = function () {
      var picture = img.parentNode;
      Array.prototype.slice.call(picture.querySelectorAll("source")).forEach(function (s) { picture.removeChild(s); });
      img.src = url;
      if (then) then();
    };
    sharper.src = url;
  }
  function imageUrl(width) { return base + "/full/" + width + ",/0/default.jpg"; }
  // The first image is light (chosen for the screen in CSS pixels); then one for the device pixels.
  function sharpen() {
    var wanted = Math.ceil(stage.clientWidth * (window.devicePixelRatio || 1));
    var better = sizes.filter(function (w) { return w >= wanted; })[0] || sizes[sizes.length - 1];
    if (better && better > img.naturalWidth && zoom === 1) show(imageUrl(better), prefetchNext); else prefetchNext();
  }
  // Once this page is sharp, fetch the next page and its light image, so turning the page is instant.
  var prefetched = false;
  function prefetchNext() {
    if (prefetched) return;
    prefetched = true;
    var next = reader.querySelector("a[rel=next]");
    if (!next) return;
    var link = document.createElement("link");
    link.rel = "prefetch"; link.href = next.href;
    document.head.appendChild(link);
    var choices = JSON.parse(stage.dataset.nextImages || "[]");
    var chosen = choices.filter(function (c) { return !c[0] || window.matchMedia(c[0]).matches; })[0];
    if (chosen) new Image().src = chosen[1];
  }
  if (img.complete && img.naturalWidth) sharpen(); else img.addEventListener("load", sharpen, { once: true });

  // Remember where this book was left; offer to go back there from its first page.
  var objectId = reader.dataset.object, here = +reader.dataset.page, key = "hoclieu.read." + objectId;
  try {
    var saved = +window.localStorage.getItem(key);
    var resume = reader.querySelector(".resume");
    if (here === 1 && saved > 1 && resume && !/[?&]q=/.test(window.location.search)) {
      var resumeLink = resume.querySelector("a");
      resumeLink.href = resumeLink.getAttribute("href") + "?page=" + saved;
      resume.querySelector("span").textContent = saved;
      resume.hidden = false;
    }
    window.localStorage.setItem(key, String(here));
  } catch (e) { /* storage refused (private mode): reading works without it */ }

  // Full screen: the page viewport alone.
  var full = bar.querySelector("[data-fullscreen]");
  if (!viewport.requestFullscreen) full.hidden = true;
  full.addEventListener("click", function () {
    if (document.fullscreenElement) document.exitFullscreen(); else viewport.requestFullscreen();
  });

  // Two pages side by side on a wide screen: this page and the next.
  var spreadButton = bar.querySelector("[data-spread]"), wide = window.matchMedia("(min-width: 70em)");
  var second = null;
  function spread(on) {
    viewport.classList.toggle("spread", on);
    if (spreadButton) spreadButton.setAttribute("aria-pressed", String(on));
    if (on && !second) {
      var choices = JSON.parse(stage.dataset.nextImages || "[]");
      var chosen = choices.filter(function (c) { return !c[0] || window.matchMedia(c[0]).matches; })[0];
      second = document.createElement("div");
      second.className = "stage";
      second.style.aspectRatio = stage.dataset.nextRatio;
      var other = document.createElement("img");
      other.className = "next-page-image";
      other.alt = stage.dataset.nextAlt;
      other.src = chosen[1];
      second.appendChild(other);
      viewport.appendChild(second);
    }
    if (second) second.hidden = !on;
    try { window.localStorage.setItem("hoclieu.spread", on ? "1" : "0"); } catch (e) { /* ignore */ }
  }
  if (spreadButton) {
    spreadButton.hidden = !wide.matches;
    spreadButton.addEventListener("click", function () { spread(!viewport.classList.contains("spread")); });
    var remembered = null;
    try { remembered = window.localStorage.getItem("hoclieu.spread"); } catch (e) { /* ignore */ }
    if (wide.matches && remembered !== "0") spread(true);
    wide.addEventListener("change", function () { spreadButton.hidden = !wide.matches; if (!wide.matches) spread(false); });
  }

  function go(rel) {
    var link = reader.querySelector("a[rel=" + rel + "]");
    if (link) window.location.href = link.href;
  }
  function setZoom(value) {
    zoom = Math.max(1, Math.min(4, value));
    stage.style.width = (zoom * 100) + "%";
    viewport.classList.toggle("zoomed", zoom > 1);
    var wanted = Math.min(pageWidth, Math.ceil(viewport.clientWidth * zoom * (window.devicePixelRatio || 1) / 256) * 256);
    if (zoom > 1 && wanted > img.naturalWidth) show(imageUrl(wanted));
  }
  bar.addEventListener("click", function (event) {
    var action = event.target.getAttribute("data-zoom");
    if (action === "in") setZoom(zoom * 1.5);
    else if (action === "out") setZoom(zoom / 1.5);
    else if (action === "reset") setZoom(1);
  });
  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, select") || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") { if (zoom === 1 || event.key === "PageDown") go("next"); }
    else if (event.key === "ArrowLeft" || event.key === "PageUp") { if (zoom === 1 || event.key === "PageUp") go("prev"); }
    else if (event.key === "+" || event.key === "=") setZoom(zoom * 1.5);
    else if (event.key === "-") setZoom(zoom / 1.5);
    else if (event.key === "0") setZoom(1);
    else return;
    event.preventDefault();
  });
  // Pan with the mouse when zoomed (touch screens scroll natively).
  var drag = null;
  viewport.addEventListener("mousedown", function (event) {
    if (zoom === 1) return;
    drag = { x: event.clientX, y: event.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
    event.preventDefault();
  });
  window.addEventListener("mousemove", function (event) {
    if (!drag) return;
    viewport.scrollLeft = drag.left - (event.clientX - drag.x);
    viewport.scrollTop = drag.top - (event.clientY - drag.y);
  });
  window.addEventListener("mouseup", function () { drag = null; });
  viewport.addEventListener("dblclick", function () { setZoom(zoom > 1 ? 1 : 2); });
  // Swipe left/right to turn the page (only when not zoomed, so panning stays panning).
  var touch = null;
  viewport.addEventListener("touchstart", function (event) {
    touch = event.touches.length === 1 ? { x: event.touches[0].clientX, y: event.touches[0].clientY } : null;
  }, { passive: true });
  viewport.addEventListener("touchend", function (event) {
    if (!touch || zoom > 1) return;
    var dx = event.changedTouches[0].clientX - touch.x, dy = event.changedTouches[0].clientY - touch.y;
    if (Math.abs(dx) > 60 && Math.abs(dx) > 2 * Math.abs(dy)) go(dx < 0 ? "next" : "prev");
    touch = null;
  });
})();
