// Grading pages: grade-distribution charts (Chart.js, served locally) and run progress bars.
// No inline script anywhere (strict CSP): data comes from a json_script block or data-* attributes.
(function () {
  "use strict";

  var GRADE_COLOURS = { A: "#198754", B: "#0d6efd", C: "#fd7e14", D: "#dc3545", "": "#6c757d" };

  function drawCharts() {
    var source = document.getElementById("grading-chart-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas.grading-chart").forEach(function (canvas) {
      var groups = data.by[canvas.getAttribute("data-dimension")] || {};
      var labels = Object.keys(groups);
      var datasets = data.keys.map(function (key, i) {
        return {
          label: data.grades[i],
          backgroundColor: GRADE_COLOURS[key] || "#adb5bd",
          data: labels.map(function (name) { return groups[name][key] || 0; })
        };
      });
      new Chart(canvas, {
        type: "bar",
        data: { labels: labels, datasets: datasets },
        options: {
          responsive: true,
          aspectRatio: 3,
          animation: false,
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
          plugins: { legend: { position: "bottom" } }
        }
      });
    });
  }

  function setBar(bar, percent) {
    bar.style.width = percent + "%";  // CSSOM, allowed by the CSP (no inline style attribute)
  }

  function pollProgress() {
    document.querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
      setBar(bar, parseInt(bar.getAttribute("data-percent"), 10) || 0);
    });
    document.querySelectorAll(".progress[data-progress-url]").forEach(function (box) {
      var url = box.getAttribute("data-progress-url");
      var bar = box.querySelector(".progress-bar");
      var status = document.querySelector("[data-run-status]");
      function tick() {
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (run) {
            setBar(bar, run.percent);
            box.setAttribute("aria-valuenow", run.percent);
            bar.textContent = run.chunks_done + "/" + run.chunks_total;
            if (status) { status.textContent = run.status_label; }
            if (run.status === "running") {
              window.setTimeout(tick, 1500);
            } else {
              bar.classList.remove("progress-bar-striped", "progress-bar-animated");
              bar.classList.add(run.status === "complete" ? "bg-success" : run.status === "superseded" ? "bg-secondary" : "bg-danger");
              if (box.hasAttribute("data-reload-when-done")) { window.location.reload(); }
            }
          })
          .catch(function () { window.setTimeout(tick, 5000); });
      }
      tick();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    pollProgress();
  });
})();
