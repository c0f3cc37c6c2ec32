// Confirmation before destructive or irreversible steps: <form data-confirm="…">.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
// Fields shown only for some choices: <div data-show-when="field=value1,value2">.
function applyShowWhen() {
  document.querySelectorAll("[data-show-when]").forEach(function (el) {
    var spec = el.getAttribute("data-show-when").split("=");
    var control = document.querySelector('[name="' + spec[0] + '"]');
    if (!control) { return; }
    var values = spec[1].split(",");
    el.hidden = values.indexOf(control.value) === -1;
  });
}
document.addEventListener("change", applyShowWhen);
document.addEventListener("DOMContentLoaded", applyShowWhen);
