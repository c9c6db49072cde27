// Reader improvements; the page works without them (plain links and images).
// Zoom and pan, keyboard (arrows, +/-), swipe to turn pages, a sharper image when zoomed.
(function () {
  "use strict";
  var reader = document.querySelector(".reader");
  if (!reader) return;
  var viewport = reader.querySelector(".viewport");
  var stage = reader.querySelector(".stage");
  var img = reader.querySelector(".page-image");
  var bar = reader.querySelector(".zoombar");
  var zoom = 1, pageWidth = +reader.dataset.width, base = reader.dataset.iiif;
  bar.hidden = false;

  function go(rel) {
    var link = reader.querySelector("a[rel=" + rel + "]");
    if (link) window.location.href = link.href;
  }
  function setZoom(value) {
    zoom = Math.max(1, Math.min(4, value));
    stage.style.width = (zoom * 100) + "%";
    viewport.classList.toggle("zoomed", zoom > 1);
    var wanted = Math.min(pageWidth, Math.ceil(viewport.clientWidth * zoom * (window.devicePixelRatio || 1) / 256) * 256);
    if (zoom > 1 && wanted > img.naturalWidth) {
      img.srcset = "";
      img.src = base + "/full/" + wanted + ",/0/default.jpg";
    }
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
