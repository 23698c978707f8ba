/* 单位选择器: filter the server-rendered unit tree while typing (no CDN, no framework).
   A match keeps its ancestors visible (path prefixes); Enter in the search box never submits
   the form — it checks the single match, or moves focus to the first visible unit. */
(function () {
  "use strict";
  if (window.dudaoUnitPicker) return;
  window.dudaoUnitPicker = true;

  function setup(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var search = root.querySelector(".unit-picker-search");
    var items = Array.prototype.slice.call(root.querySelectorAll("li[data-path]"));
    var empty = root.querySelector(".unit-picker-empty");
    var all = root.querySelector(".unit-picker-all");
    var none = root.querySelector(".unit-picker-none");
    var count = root.querySelector(".unit-picker-count");

    function visibleInputs() {
      return items.filter(function (li) { return !li.hidden; })
        .map(function (li) { return li.querySelector("input"); });
    }
    function recount() {
      if (!count) return;
      var n = root.querySelectorAll("li[data-path] input:checked").length;
      count.textContent = String(n);
      if (none) none.hidden = n === 0;
    }
    function filter() {
      var q = search.value.trim();
      var shown = 0;
      if (!q) {
        items.forEach(function (li) { li.hidden = false; });
        shown = items.length;
      } else {
        var keep = {};
        items.forEach(function (li) {
          if (li.dataset.name.indexOf(q) !== -1) {
            keep[li.dataset.path] = true;
            items.forEach(function (a) {
              if (li.dataset.path.indexOf(a.dataset.path) === 0) keep[a.dataset.path] = true;
            });
          }
        });
        items.forEach(function (li) {
          li.hidden = !keep[li.dataset.path];
          li.classList.toggle("unit-picker-match", !!q && li.dataset.name.indexOf(q) !== -1);
          if (!li.hidden) shown += 1;
        });
      }
      if (empty) empty.hidden = shown > 0;
      if (all) all.hidden = !q || shown === 0;
    }
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      e.preventDefault();
      var matches = items.filter(function (li) { return li.classList.contains("unit-picker-match"); });
      if (matches.length === 1) {
        var input = matches[0].querySelector("input");
        input.checked = root.dataset.multiple === undefined ? true : !input.checked;
        input.dispatchEvent(new Event("change", { bubbles: true }));
        input.focus();
      } else {
        var first = visibleInputs()[0];
        if (first) first.focus();
      }
    });
    if (all) all.addEventListener("click", function () {
      items.forEach(function (li) {
        if (!li.hidden && li.classList.contains("unit-picker-match")) {
          var input = li.querySelector("input");
          if (!input.checked) {
            input.checked = true;
            input.dispatchEvent(new Event("change", { bubbles: true }));
          }
        }
      });
    });
    if (none) none.addEventListener("click", function () {
      root.querySelectorAll("li[data-path] input:checked").forEach(function (input) {
        input.checked = false;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
    root.addEventListener("change", recount);
    recount();
    filter();
  }

  function init(scope) {
    (scope || document).querySelectorAll("[data-unit-picker]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
