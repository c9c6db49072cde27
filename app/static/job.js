// A running job's page follows the job: progress every 2 s from its JSON, and once the job ends
// the page goes on (its ?follow=1 address: the report of a job done, the job page of one that
// failed). Without JavaScript the page's <noscript> refresh does the same.
(function () {
  "use strict";
  var box = document.querySelector(".job[data-json]");
  if (!box) return;
  var bar = box.querySelector("progress"), status = box.querySelector("[data-status]");
  var progress = box.querySelector("[data-progress]"), message = box.querySelector("[data-message]");
  function poll() {
    fetch(box.dataset.json, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (job) {
        if (job.finished) { window.location.replace(box.dataset.follow); return; }
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        status.textContent = job.status_label;
        status.className = "status-" + job.status;
        progress.textContent = job.progress_text;
        message.textContent = job.message ? "— " + job.message : "";
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
}());
