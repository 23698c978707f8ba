/* 一次交办多个单位: one row per chosen unit (weight, deadline, own content), kept in step with
   the unit picker. A row of an unticked unit is hidden and disabled, so its typed values come
   back when the unit is ticked again and are never posted meanwhile. */
(function () {
  "use strict";
  function start() {
    var form = document.getElementById("cascade-form");
    if (!form) return;
    var box = form.querySelector("[data-cascade-rows]");
    var tpl = form.querySelector("[data-cascade-template]");
    var empty = form.querySelector("[data-cascade-empty]");
    function rowFor(input) {
      return box.querySelector('[data-unit="' + input.value + '"]');
    }
    function sync(input) {
      var row = rowFor(input);
      if (input.checked && !row) {
        var frag = tpl.content.cloneNode(true);
        row = frag.querySelector("fieldset");
        row.dataset.unit = input.value;
        row.querySelector("legend").textContent = input.dataset.label || "";
        row.querySelectorAll("[name]").forEach(function (el) {
          el.name = el.name.replace("__ID__", input.value);
        });
        box.appendChild(row);
      }
      if (row) {
        row.hidden = !input.checked;
        row.disabled = !input.checked;
      }
      empty.hidden = !!box.querySelector("fieldset:not([hidden])");
    }
    form.querySelectorAll('[data-unit-picker] input[name="units"]').forEach(function (input) {
      sync(input);
    });
    form.addEventListener("change", function (e) {
      var t = e.target;
      if (t && t.name === "units") sync(t);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
