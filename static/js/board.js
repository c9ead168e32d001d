// Improvement board: drag a card onto another column to move it there. This only fills in and
// submits the card's own "Move" form, so the server decides exactly as without JavaScript
// (WIP limits, messages); keyboard and screen-reader users use that form directly.
document.addEventListener("DOMContentLoaded", () => {
  let dragged = null;
  document.querySelectorAll(".action-card[draggable=true]").forEach((card) => {
    card.addEventListener("dragstart", (event) => {
      dragged = card;
      card.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.action);
    });
    card.addEventListener("dragend", () => {
      card.classList.remove("dragging");
      dragged = null;
    });
  });
  document.querySelectorAll(".board-column[data-stage]").forEach((column) => {
    const accepts = () => dragged && !column.contains(dragged);
    column.addEventListener("dragover", (event) => {
      if (!accepts()) return;
      event.preventDefault();
      column.classList.add("drop-target");
    });
    column.addEventListener("dragleave", () => column.classList.remove("drop-target"));
    column.addEventListener("drop", (event) => {
      column.classList.remove("drop-target");
      if (!accepts()) return;
      event.preventDefault();
      const form = dragged.querySelector("form[data-move]");
      const select = form && form.querySelector("select[name=stage]");
      if (!select) return;
      select.value = column.dataset.stage;
      form.requestSubmit();
    });
  });
});
