/* Names for what assistive technology announces without one.
 *
 * Material's search overlay is a dialog (role="dialog") without a name; screen readers then
 * announce "dialog" and nothing else. A table that Material wraps to scroll sideways must be
 * reachable by keyboard to be scrolled without a mouse. Both are fixed after each page load and
 * instant navigation (Material wraps the tables on the same event, so once more just after it).
 */
(function () {
  "use strict";

  function name() {
    document.querySelectorAll(".md-search[role='dialog']:not([aria-label])").forEach(function (d) {
      d.setAttribute("aria-label", "Search this site");
    });
    document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])").forEach(function (w) {
      w.setAttribute("tabindex", "0");
      w.setAttribute("role", "region");
      w.setAttribute("aria-label", "Table (scrolls sideways)");
    });
  }

  function soon() {
    name();
    window.setTimeout(name, 0);
  }

  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(soon);
  } else {
    document.addEventListener("DOMContentLoaded", soon);
  }
})();
