// Dudao page behaviour. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  // Ask before destructive buttons: <button data-confirm="…">.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // The side menu: a drawer on phones (the 菜单 button opens it; the backdrop, Escape or a
  // link closes it). On wide screens the button is hidden and the menu always shows.
  function setDrawer(open) {
    var toggle = document.getElementById("navtoggle");
    var backdrop = document.getElementById("navbackdrop");
    document.body.classList.toggle("nav-open", open);
    if (toggle) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); }
    if (backdrop) { backdrop.hidden = !open; }
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest("#navtoggle")) {
      setDrawer(!document.body.classList.contains("nav-open"));
    } else if (event.target.closest("#navbackdrop")) {
      setDrawer(false);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
      setDrawer(false);
      var toggle = document.getElementById("navtoggle");
      if (toggle) { toggle.focus(); }
    }
  });
  // Keep the active entry in view when the menu scrolls within itself.
  document.addEventListener("DOMContentLoaded", function () {
    var active = document.querySelector(".sidenav a.active");
    if (active && active.scrollIntoView) { active.scrollIntoView({ block: "nearest" }); }
  });

  // Select-all boxes: <input type="checkbox" data-select-all="NAME"> ticks every box NAME.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (!all) { return; }
    var boxes = document.querySelectorAll(
      'input[type="checkbox"][name="' + all.getAttribute("data-select-all") + '"]');
    boxes.forEach(function (box) { if (!box.disabled) { box.checked = all.checked; } });
  });
})();
