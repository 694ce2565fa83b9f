// Forms with data-confirm ask before they submit (inline handlers are blocked by the CSP).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// A failed save: move focus to the error summary at the top, whose links lead to each field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});

// Choosing a discipline's impact score ticks its "van toepassing" box (the server refuses scores
// of a discipline that does not apply, rather than dropping them).
document.addEventListener("change", function (event) {
  var id = event.target.getAttribute && event.target.getAttribute("data-applies");
  var box = id && document.getElementById(id);
  if (box && event.target.value && !box.checked) {
    box.checked = true;
  }
});
