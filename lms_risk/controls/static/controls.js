// The VvT's bulk form: "select all on this page" ticks (or clears) every row's box, and shows
// itself ticked, half-ticked or clear as the rows are. A file: the CSP allows no inline script.
// Without script the box stays hidden and the rows are ticked one by one.
(function () {
  function rows(all) {
    return all.form ? all.form.querySelectorAll(
      "input[type=checkbox][name='" + all.getAttribute("data-select-all") + "']") : [];
  }

  function show(all) {
    var boxes = rows(all), ticked = 0;
    boxes.forEach(function (box) { if (box.checked) { ticked += 1; } });
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-select-all]").forEach(function (all) {
      all.hidden = false;
      show(all);
    });
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-select-all")) {
      rows(target).forEach(function (box) { box.checked = target.checked; });
      return;
    }
    if (target.form && target.type === "checkbox") {
      target.form.querySelectorAll("input[data-select-all]").forEach(function (all) {
        if (all.getAttribute("data-select-all") === target.name) { show(all); }
      });
    }
  });
})();
