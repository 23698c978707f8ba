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
})();
