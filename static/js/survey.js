// Survey page: keep the "answered" count and progress bar current as answers are picked.
// The page works without this file; it only saves a reload to see progress.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.survey");
  const counter = document.querySelector("[data-answered]");
  const bar = document.querySelector("[data-progress]");
  if (!form || !counter || !bar) return;
  const update = () => {
    const names = new Set();
    form.querySelectorAll("input[type=radio]:checked").forEach((input) => names.add(input.name));
    counter.textContent = names.size;
    bar.value = names.size;
    // The jump link follows the answers: to the first question still without one.
    const next = document.querySelector("[data-next-unanswered]");
    if (next) {
      const open = [...form.querySelectorAll("fieldset.question")].find((q) => !q.querySelector("input:checked"));
      if (!next.dataset.nextText) next.dataset.nextText = open ? next.textContent : "";
      next.href = open ? `#${open.id}` : "#survey-submit";
      next.textContent = open ? next.dataset.nextText || next.textContent : next.dataset.doneText;
    }
  };
  form.addEventListener("change", update);
  form.dataset.live = "true"; // progress follows the answers from here on (tests wait for it)
});
