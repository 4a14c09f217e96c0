// Start NHS.UK frontend components on the page, and again on every piece htmx swaps in.
import { initAll } from "../vendor/nhsuk-frontend-10.6.1/nhsuk-frontend.min.js";

function start(scope) {
  // A body that htmx swapped in (restoring history) lacks the classes body-classes.js set on the
  // first load; this module running at all shows the browser is supported.
  document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
  initAll({
    scope,
    onError(error) {
      // A component that is already running throws InitError when started twice: harmless.
      if (error.name !== "InitError") console.error(error);
    },
  });
}

if (window.htmx) {
  window.htmx.onLoad((element) => start(element.parentElement || element));
} else {
  start(document);
}
