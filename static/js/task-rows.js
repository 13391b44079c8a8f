// The conclusion form's "add a row" button: copies the empty task row kept in
// <template id="task-row-template"> with the next index and raises the formset's
// TOTAL_FORMS. Without JavaScript the page already offers enough empty rows.
(function () {
  "use strict";
  var button = document.getElementById("add-task-row");
  var template = document.getElementById("task-row-template");
  var rows = document.getElementById("task-rows");
  var total = document.getElementById("id_tasks-TOTAL_FORMS");
  var max = document.getElementById("id_tasks-MAX_NUM_FORMS");
  if (!button || !template || !rows || !total) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) return;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    var number = row.querySelector(".row-number");
    if (number) number.textContent = String(index + 1);
    rows.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("select, textarea, input");
    if (first) first.focus();
  });
})();
