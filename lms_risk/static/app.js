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

// A reference offered beside a rationale ("[BIO2 5.30.01]"): without script it is text to copy;
// with it, a button inserts it at the cursor of that rationale.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".cite-insert").forEach(function (button) {
    button.hidden = false;
  });
});
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest(".cite-insert");
  var field = button && document.getElementById(button.getAttribute("data-target"));
  if (!field || field.disabled) {
    return;
  }
  var text = button.getAttribute("data-cite");
  var start = field.selectionStart, end = field.selectionEnd;
  var before = field.value.slice(0, start), after = field.value.slice(end);
  if (before && !/\s$/.test(before)) {
    text = " " + text;
  }
  if (after && !/^\s/.test(after)) {
    text = text + " ";
  }
  field.value = before + text + after;
  field.focus();
  field.selectionStart = field.selectionEnd = before.length + text.length;
});
