// A "Print" button without an inline handler (a strict Content-Security-Policy is coming):
// every [data-print] button prints the page. Hidden until this script shows it, so a
// browser without JavaScript shows no button that does nothing.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
