// The search-as-you-type unit picker (templates/workgroups/_picker.html): asks
// workgroups:unit_picker for the units in the user's scope matching what is typed, and
// keeps the chosen ones as hidden inputs of the form. With data-single, choosing a unit
// replaces the one chosen; data-purpose goes to the endpoint (purpose=petitions: the units
// whose petitions the user handles). A "unitpicker:change" event (detail: the ids chosen)
// tells the page when the choice changes.
(function () {
  "use strict";

  function debounce(fn, ms) {
    let timer = null;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  function setUp(picker) {
    const input = picker.querySelector(".picker-q");
    const results = picker.querySelector(".picker-results");
    const chosen = picker.querySelector(".picker-chosen");
    const name = picker.dataset.name;
    const single = "single" in picker.dataset;
    let asked = 0;

    function changed() {
      const ids = [...chosen.querySelectorAll("li[data-id]")].map((li) => li.dataset.id);
      picker.dispatchEvent(new CustomEvent("unitpicker:change", { bubbles: true, detail: { ids } }));
    }

    function isChosen(id) {
      return chosen.querySelector(`li[data-id="${id}"]`) !== null;
    }

    function choose(unit) {
      if (isChosen(unit.id)) return;
      if (single) chosen.replaceChildren();
      const item = document.createElement("li");
      item.dataset.id = unit.id;
      const hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = name;
      hidden.value = unit.id;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link picker-remove";
      remove.textContent = "×";
      remove.setAttribute("aria-label", picker.dataset.removeLabel || "×");
      item.append(hidden, document.createTextNode(`${unit.name} `), remove);
      chosen.append(item);
      changed();
    }

    async function search() {
      const q = input.value.trim();
      const mine = ++asked;
      if (!q) {
        results.replaceChildren();
        return;
      }
      const url = new URL(picker.dataset.url, window.location.origin);
      url.searchParams.set("q", q);
      if (picker.dataset.under) url.searchParams.set("under", picker.dataset.under);
      if (picker.dataset.purpose) url.searchParams.set("purpose", picker.dataset.purpose);
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok || mine !== asked) return;
      const data = await response.json();
      results.replaceChildren(...data.results.map((unit) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link picker-option";
        button.dataset.id = unit.id;
        button.textContent = `${unit.name} (${unit.code}, ${unit.level_display})`;
        button.addEventListener("click", () => {
          choose(unit);
          input.value = "";
          results.replaceChildren();
          input.focus();
        });
        item.append(button);
        return item;
      }));
    }

    input.addEventListener("input", debounce(search, 200));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();  // Enter picks the first match instead of submitting
        const first = results.querySelector(".picker-option");
        if (first) first.click();
      }
    });
    chosen.addEventListener("click", (event) => {
      if (event.target.classList.contains("picker-remove")) {
        event.target.closest("li").remove();
        changed();
      }
    });
  }

  document.querySelectorAll("[data-unit-picker]").forEach(setUp);
})();
