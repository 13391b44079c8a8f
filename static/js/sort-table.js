// Sorts the rows of a table marked data-sortable by the column whose header the user
// presses: each sortable <th data-sort="key"> holds a button, and each row carries the
// key's value in data-key (numbers, or yyyymmdd dates; empty sorts last). The server sends
// the rows in their default order (the dashboard's children: worst first) and in
// Vietnamese name order as data-name, so no collation is needed here.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var body = table.tBodies[0];
    var headers = table.querySelectorAll("th[data-sort]");
    headers.forEach(function (th) {
      var button = th.querySelector("button.sort");
      if (!button) return;
      button.addEventListener("click", function () {
        var key = th.dataset.sort;
        var descending = th.getAttribute("aria-sort") === "ascending";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.dataset[key], y = b.dataset[key];
          if (x === "" || y === "") return x === y ? 0 : (x === "" ? 1 : -1);
          var d = Number(x) - Number(y);
          return descending ? -d : d;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      });
    });
  });
});
