// The main menu folds behind a button on a phone (portal.css, max-width 640px, under the
// "js" class that base.html sets before the first paint): the header then takes one row
// instead of four. Without JavaScript the menu simply stays open.
document.addEventListener("DOMContentLoaded", function () {
  var bar = document.getElementById("topbar");
  var button = bar && bar.querySelector(".menu-toggle");
  if (!button) return;
  button.addEventListener("click", function () {
    var open = bar.classList.toggle("menu-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
});
