// The petition register form (templates/petitions/case_form.html): when the concerned
// unit changes (its list, or the unit picker's "unitpicker:change"), the nominee list is
// asked for again: the nominees of that unit's personnel plans (petitions:nominee_options).
// Choosing a nominee ticks "about congress personnel", as the service does on saving.
(function () {
  "use strict";

  const form = document.getElementById("petition-form");
  const nominee = document.getElementById("id_nominee");
  if (!form || !nominee) return;
  const personnel = document.getElementById("id_about_personnel");
  let asked = 0;

  async function load(unitId) {
    const mine = ++asked;
    if (!unitId) {
      nominee.replaceChildren(new Option("---------", ""));
      return;
    }
    const url = nominee.dataset.url.replace(/\/0\/nominees\/$/, `/${encodeURIComponent(unitId)}/nominees/`);
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok || mine !== asked) return;
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    nominee.replaceChildren(...template.content.querySelectorAll("option"));
  }

  const select = document.getElementById("id_unit");
  if (select) select.addEventListener("change", () => load(select.value));
  form.addEventListener("unitpicker:change", (event) => load(event.detail.ids[0]));
  nominee.addEventListener("change", () => {
    if (nominee.value && personnel) personnel.checked = true;
  });
})();
