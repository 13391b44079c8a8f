// Small behaviours that used to be inline handlers (onclick="", onchange=""), which the
// Content-Security-Policy forbids (core.middleware.SecurityHeadersMiddleware):
// - <select data-autosubmit> submits its form when changed (the language switcher);
// - <a data-back> goes back in the history when there is one, else follows its link;
// - <button data-print> prints the page.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) field.form.submit();
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-back], [data-print]") : null;
    if (!target) return;
    if (target.hasAttribute("data-print")) {
      event.preventDefault();
      window.print();
    } else if (window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
