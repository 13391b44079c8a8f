// "Copy" buttons: <button data-copy="element-id" hidden> copies that element's text. The
// button stays hidden where the clipboard API is missing (the text can still be selected).
(function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.dataset.copy);
    if (!target) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        button.textContent = "✓ " + label;
      });
    });
  });
})();
