// Progress of document jobs: poll each job's JSON endpoint until it finishes, then reload so
// the new files appear. Elements: [data-job-progress-url] (see templates/publication/_job.html).
(function () {
  function poll(box) {
    var url = box.getAttribute("data-job-progress-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        var bar = box.querySelector("[data-job-bar]");
        if (bar) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
        var status = box.querySelector("[data-job-status]");
        if (status) { status.textContent = job.status_label; }
        var step = box.querySelector("[data-job-step]");
        if (step) { step.textContent = job.step || ""; }
        var count = box.querySelector("[data-job-count]");
        if (count) { count.textContent = job.done + " / " + job.total; }
        if (job.finished) {
          if (box.getAttribute("data-job-was-running") === "1") { window.location.reload(); }
          return;
        }
        box.setAttribute("data-job-was-running", "1");
        window.setTimeout(function () { poll(box); }, 1500);
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 5000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job-progress-url]").forEach(poll);
  });
})();
