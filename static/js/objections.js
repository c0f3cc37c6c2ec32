// Objection pages: a form is submitted once (the server refuses a second submit anyway).
document.addEventListener("submit", function (event) {
  if (event.defaultPrevented) { return; }
  var form = event.target;
  if (form.dataset.submitted) { event.preventDefault(); return; }
  form.dataset.submitted = "1";
  form.querySelectorAll("button[type=submit]").forEach(function (b) {
    setTimeout(function () { b.disabled = true; }, 0);
  });
});
