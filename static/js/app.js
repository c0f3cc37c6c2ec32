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
// Buttons disabled while a request runs (issue 11 item 4): once a form is really submitted
// (not cancelled by its confirmation), its submit buttons are disabled and say so; the clicked
// button's name=value is kept in a hidden field, since a disabled button is not sent. A form
// that downloads a file leaves the page in place: the buttons come back after a while.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || !form.matches || form.matches("[data-no-busy]")) { return; }
  var submitter = event.submitter;
  if (submitter && submitter.name) {
    var keep = document.createElement("input");
    keep.type = "hidden";
    keep.name = submitter.name;
    keep.value = submitter.value;
    form.appendChild(keep);
  }
  var buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  buttons.forEach(function (button) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  });
  form.setAttribute("aria-busy", "true");
  window.setTimeout(function () {
    buttons.forEach(function (button) { button.disabled = false; button.removeAttribute("aria-busy"); });
    form.removeAttribute("aria-busy");
  }, 15000);
});
// Back from the next page (bfcache): the buttons work again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[aria-busy] [aria-busy]").forEach(function (button) {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  });
});
// Uploads after a validation error (issue 11 item 4): a browser never keeps a chosen file, so
// every file input of a form sent back with errors says clearly that it must be chosen again.
document.addEventListener("DOMContentLoaded", function () {
  var text = document.body.getAttribute("data-reupload-text");
  if (!text) { return; }
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector(".is-invalid, .invalid-feedback, .errorlist, .alert-danger, .text-danger")) { return; }
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      var note = document.createElement("div");
      note.className = "alert alert-warning py-1 px-2 small mt-1 reupload-note";
      note.setAttribute("role", "status");
      note.textContent = text;
      input.insertAdjacentElement("afterend", note);
      input.classList.add("border-warning");
    });
  });
});
// Employer pickers (issue 11 item 4): <input data-employer-search="/employers/search.json"> fills
// a USCC; typing a name offers the matching employers of the user's scope in a datalist.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-employer-search]").forEach(function (input, index) {
    var list = document.createElement("datalist");
    list.id = "employer-search-" + index;
    input.setAttribute("list", list.id);
    input.insertAdjacentElement("afterend", list);
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 2) { return; }
      timer = window.setTimeout(function () {
        var url = input.getAttribute("data-employer-search") + "?q=" + encodeURIComponent(text);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            data.results.forEach(function (row) {
              var option = document.createElement("option");
              option.value = row.uscc;
              option.textContent = row.name;
              list.appendChild(option);
            });
          });
      }, 250);
    });
  });
});
// On a phone the filters of a list start folded (the list comes first) unless some are in use.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.matchMedia("(max-width: 767.98px)").matches) { return; }
  var query = new URLSearchParams(window.location.search);
  query.delete("page");
  var inUse = Array.from(query.values()).some(function (v) { return v !== ""; });
  document.querySelectorAll("details.filter-box").forEach(function (box) { box.open = inUse; });
});

// Lists as cards on a phone (issue 11 item 8): a cell without its own data-label takes its
// column's heading, so any table inside .list-cards reads as "heading: value" when stacked.
document.querySelectorAll(".list-cards > table").forEach((table) => {
  const headings = Array.from(table.querySelectorAll(":scope > thead th")).map((th) =>
    th.textContent.trim()
  );
  table.querySelectorAll(":scope > tbody > tr").forEach((row) => {
    Array.from(row.children).forEach((cell, i) => {
      if (!cell.hasAttribute("data-label") && headings[i] && i > 0) {
        cell.setAttribute("data-label", headings[i]);
      }
    });
  });
});
