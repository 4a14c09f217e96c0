// Capable: small progressive enhancements on top of htmx. Every page works without this file.
(function () {
  "use strict";

  // After htmx swaps in a new step, move focus to where a screen reader user needs to be:
  // the error summary if the answer needs fixing, otherwise the new question's heading.
  function moveFocus(container) {
    var target =
      container.querySelector(".nhsuk-error-summary") ||
      container.querySelector("[data-autofocus]") ||
      container.querySelector("h1");
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  document.addEventListener("htmx:after:settle", function (event) {
    var content = document.getElementById("app-content");
    if (content && (event.target === content || content.contains(event.target))) {
      moveFocus(content);
    }
  });
})();
