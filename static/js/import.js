// Import job page: poll the job's status every second, move the progress bar, and reload
// the page (which then shows the report) once the job has finished.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) return;
  var bar = box.querySelector("[role=progressbar]");
  var fill = bar.querySelector("span");
  var percent = box.querySelector("[data-percent]");
  var phase = box.querySelector("[data-phase]");

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        if (data.finished) { window.location.reload(); return; }
        fill.className = "w-" + Math.max(0, Math.min(100, Math.round(data.percent)));
        bar.setAttribute("aria-valuenow", data.percent);
        percent.textContent = data.percent + "%";
        phase.textContent = data.phase_display;
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
