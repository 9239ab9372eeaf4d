// Fixes to the course's site (jupyter-book includes every file of _static).
//
// A first visit (nothing in localStorage) left the page's colour mode empty, and
// pydata-sphinx-theme 0.17 logged "Got invalid theme mode" to the console. This
// script runs before the theme's deferred script: an empty mode becomes the
// default one.
if (!document.documentElement.dataset.mode) {
  document.documentElement.dataset.mode = document.documentElement.dataset.defaultMode || "auto";
}

// The sidebar buttons on a phone. sphinx-book-theme 1.3 shows its own sidebar
// buttons in the article header, while pydata-sphinx-theme 0.17 wires up only
// the first .primary-toggle and .secondary-toggle of the page, buttons in a
// navbar that the book theme hides. So the visible buttons did nothing, and on
// a phone the menu (the list of chapters) could not be opened. Each further
// button now hands its click to the first one, which opens the sidebar as a
// dialog on a narrow screen and hides or shows it on a wide one.
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of ["primary", "secondary"]) {
    const [wired, ...others] = document.querySelectorAll(`.${kind}-toggle`);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        wired.click();
      });
    }
  }
});
