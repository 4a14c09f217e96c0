// Start NHS.UK frontend components on the page, and again on every piece htmx swaps in.
import { initAll } from "../vendor/nhsuk-frontend-10.6.1/nhsuk-frontend.min.js";

function start(scope) {
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
