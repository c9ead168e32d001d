// Print every collapsed section of a dashboard: browsers print closed <details> closed.
window.addEventListener("beforeprint", () => {
  document.querySelectorAll("details").forEach((details) => {
    if (!details.open) {
      details.dataset.printOpened = "true";
      details.open = true;
    }
  });
});
window.addEventListener("afterprint", () => {
  document.querySelectorAll("details[data-print-opened]").forEach((details) => {
    details.open = false;
    delete details.dataset.printOpened;
  });
});
