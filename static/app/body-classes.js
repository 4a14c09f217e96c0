// Runs first in <body>, before anything is drawn: tells NHS.UK frontend's styles and scripts that
// JavaScript is on (the same as the inline script in its page template, which our
// Content-Security-Policy does not allow).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
