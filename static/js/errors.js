/* A page that comes back with form errors takes the focus to its summary
 * (templates/includes/form.html and the forms' own summaries), so a keyboard
 * or screen-reader user starts from the list of what to correct, whose links
 * lead to each field. Without this script the summary is still announced
 * (role="alert") and shown at the top. */
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector(".error-summary");
    if (!summary) { return; }
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
}());
