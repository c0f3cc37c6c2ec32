// Supervision pages: plan progress charts (Chart.js, served locally), progress bars, and the plan
// form's reload of the default ratios when another jurisdiction is chosen.
// No inline script (strict CSP): data comes from a json_script block or data-* attributes.
(function () {
  "use strict";

  var COLOURS = { done: "#198754", open: "#0d6efd", overdue: "#dc3545" };

  function drawCharts() {
    var source = document.getElementById("supervision-progress-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas.supervision-chart").forEach(function (canvas) {
      var series = data[canvas.getAttribute("data-series")];
      if (!series || !series.labels.length) { canvas.hidden = true; return; }
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: series.labels,
          datasets: ["done", "open", "overdue"].map(function (key) {
            return { label: data.names[key], backgroundColor: COLOURS[key], data: series[key] };
          })
        },
        options: {
          indexAxis: "y",
          responsive: true,
          aspectRatio: 2.2,
          animation: false,
          scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
          plugins: { legend: { position: "bottom" } }
        }
      });
    });
  }

  function progressBars() {
    document.querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
      bar.style.width = (parseInt(bar.getAttribute("data-percent"), 10) || 0) + "%";  // CSSOM
    });
  }

  function reloadDefaults() {
    var select = document.querySelector("select[data-reload-defaults]");
    if (!select) { return; }
    select.addEventListener("change", function () {
      window.location.href = select.getAttribute("data-reload-defaults") +
        "?jurisdiction=" + encodeURIComponent(select.value);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    progressBars();
    reloadDefaults();
  });
})();
