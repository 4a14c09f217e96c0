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

  // A swap of part of a page (the notes on a person's record) keeps the reader where they were:
  // focus goes to an error summary or a marked element inside what was swapped, if any.
  function moveFocusWithin(part) {
    var target = part.querySelector(".nhsuk-error-summary") || part.querySelector("[data-autofocus]");
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }

  document.addEventListener("htmx:after:settle", function (event) {
    var content = document.getElementById("app-content");
    if (!content) return;
    if (event.target === content) {
      moveFocus(content);
    } else {
      // An outerHTML swap may report the element it replaced: look the new one up by its id.
      var part = event.target.isConnected ? event.target : document.getElementById(event.target.id);
      if (part && content.contains(part)) moveFocusWithin(part);
    }
  });
})();

// A button marked data-print prints the page (the care plan, an invite's QR code). Without
// JavaScript capable.css hides the button and the browser's own Print works.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
