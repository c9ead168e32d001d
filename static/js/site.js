// On every page: the language chooser changes the language as soon as one is picked (without
// script, its button does), and the browser's time zone is sent once when the person has none.
document.querySelectorAll("[data-submit-on-change]").forEach((select) => {
  select.form.querySelectorAll("[data-hide-with-script]").forEach((button) => button.classList.add("d-none"));
  select.addEventListener("change", () => select.form.requestSubmit());
});

const timeZoneUrl = document.body.dataset.timeZoneUrl;
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const token = document.querySelector("input[name=csrfmiddlewaretoken]");
if (timeZoneUrl && zone && token) {
  fetch(timeZoneUrl, {
    method: "POST",
    headers: { "X-CSRFToken": token.value },
    body: new URLSearchParams({ time_zone: zone }),
    credentials: "same-origin",
  });
}
