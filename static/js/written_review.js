// Written review pages: the draw's progress (polled) and the progress chart (Chart.js, local).
// No inline script (strict CSP): data comes from data-* attributes or a json_script block.
(function () {
  "use strict";

  function setBar(bar, percent) { bar.style.width = percent + "%"; }

  function pollDraw() {
    var box = document.querySelector("[data-draw-progress-url]");
    if (!box) { return; }
    var url = box.getAttribute("data-draw-progress-url");
    var bar = box.querySelector(".progress-bar");
    setBar(bar, parseInt(bar.getAttribute("data-percent"), 10) || 0);
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          setBar(bar, p.percent);
          bar.textContent = p.done + "/" + p.total;
          if (p.running) { window.setTimeout(tick, 1500); } else { window.location.reload(); }
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    window.setTimeout(tick, 1000);
  }

  var COLOURS = ["#adb5bd", "#0dcaf0", "#0d6efd", "#fd7e14", "#6f42c1", "#198754", "#dc3545", "#20c997", "#b02a37"];

  function drawChart() {
    var source = document.getElementById("wr-progress-data");
    var canvas = document.getElementById("wr-progress-chart");
    if (!source || !canvas || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          return { label: s.label, data: s.data, backgroundColor: COLOURS[i % COLOURS.length] };
        })
      },
      options: {
        responsive: true, aspectRatio: 3, animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { pollDraw(); drawChart(); });
})();
