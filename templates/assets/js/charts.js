/* Render every chart of the page with vega-embed.
 *
 * Material's instant navigation swaps page content without reloading scripts, so rendering hangs
 * off `document$` (it fires on the first load and after every navigation). The palette toggle
 * changes `data-md-color-scheme` on <body>; a MutationObserver re-renders the charts in the
 * matching Vega theme.
 */
(function () {
  "use strict";
  var views = [];

  function isDark() {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
  }

  function finalizeAll() {
    views.forEach(function (v) { try { v.finalize(); } catch (e) { /* already gone */ } });
    views = [];
  }

  function renderAll() {
    if (typeof window.vegaEmbed !== "function") { return; }
    finalizeAll();
    var dark = isDark();
    document.querySelectorAll(".gr-chart").forEach(function (fig) {
      var target = fig.querySelector(".gr-vega");
      if (!target || !target.dataset.spec) { return; }
      var spec = JSON.parse(target.dataset.spec);
      target.setAttribute("data-theme", dark ? "dark" : "light");
      var options = {
        actions: false,
        renderer: "svg",
        config: { background: null },
      };
      if (dark) { options.theme = "dark"; }
      window.vegaEmbed(target, spec, options).then(function (result) {
        views.push(result);
        target.setAttribute("data-rendered", dark ? "dark" : "light");
      }).catch(function (err) {
        target.setAttribute("data-error", String(err));
        console.error("chart " + target.getAttribute("data-chart") + ": " + err);
      });
    });
  }

  var observer = new MutationObserver(function (mutations) {
    if (mutations.some(function (m) { return m.attributeName === "data-md-color-scheme"; })) {
      renderAll();
    }
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(renderAll);
  } else {
    document.addEventListener("DOMContentLoaded", renderAll);
  }
})();
