// Send each intake, submission or action form once: a double click would otherwise receive
// the same dossier twice, and a dossier, once numbered, is never deleted.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-submit-once]")) return;
  if (form.dataset.submitted) {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "1";
  form.querySelectorAll("button[type=submit]").forEach((button) => {
    button.setAttribute("aria-disabled", "true");
    button.classList.add("is-busy");
  });
});
// Coming back with the browser's Back button shows the page as it was: allow sending again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-submitted]").forEach((form) => {
    delete form.dataset.submitted;
    form.querySelectorAll("button.is-busy").forEach((button) => {
      button.removeAttribute("aria-disabled");
      button.classList.remove("is-busy");
    });
  });
});
