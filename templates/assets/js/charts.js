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

  // Below this width (a phone), long category names are cut short (the full name is in each
  // mark's tooltip), x-axis categories stand upright, and legends list their entries in one
  // column under the chart, so that nothing overlaps or runs off the edge.
  var NARROW = 600;
  var LEGENDS = ["color", "fill", "stroke", "shape", "size", "opacity", "strokeDash"];

  function narrow(spec, width) {
    if (!width || width >= NARROW) { return spec; }
    (function walk(node) {
      if (Array.isArray(node)) { node.forEach(walk); return; }
      if (!node || typeof node !== "object") { return; }
      var enc = node.encoding;
      if (enc && typeof enc === "object") {
        Object.keys(enc).forEach(function (channel) {
          var def = enc[channel];
          if (!def || typeof def !== "object" || Array.isArray(def)) { return; }
          var discrete = def.type === "nominal" || def.type === "ordinal";
          if (LEGENDS.indexOf(channel) >= 0 && def.legend !== null && !def.condition) {
            // A colour scale's gradient lies flat under the chart; a list of names stands.
            def.legend = Object.assign({}, def.legend || {}, discrete ? {
              orient: "bottom", direction: "vertical", columns: 1, labelLimit: width - 40
            } : { orient: "bottom", direction: "horizontal", gradientLength: Math.min(200, width - 80) });
          }
          if ((channel === "x" || channel === "y") && def.axis !== null) {
            var axis = Object.assign({}, def.axis || {});
            if (discrete) {
              axis.labelLimit = channel === "y" ? Math.round(width / 3.5) : 90;
              if (channel === "x") { axis.labelAngle = -90; }
            } else {
              axis.labelOverlap = true;
              axis.tickCount = Math.min(axis.tickCount || 5, 5);
            }
            def.axis = axis;
          }
        });
      }
      Object.keys(node).forEach(function (key) {
        if (key !== "encoding" && key !== "datasets" && key !== "data") { walk(node[key]); }
      });
    })(spec);
    return spec;
  }

  // Cell numbers of a heatmap that no longer fit their cells (a narrow screen, many genres)
  // are hidden, all of a mark's at once: the colours stay, and each cell's tooltip has its
  // number.
  function uncrowd(target) {
    target.querySelectorAll("g.mark-text.role-mark").forEach(function (group) {
      group.style.visibility = "";
      var boxes = [].map.call(group.querySelectorAll("text"), function (t) {
        return t.getBoundingClientRect();
      }).filter(function (b) { return b.width > 0; });
      var crowded = boxes.some(function (a, i) {
        return boxes.slice(i + 1).some(function (b) {
          return a.left < b.right - 1 && b.left < a.right - 1 &&
                 a.top < b.bottom - 1 && b.top < a.bottom - 1;
        });
      });
      if (crowded) { group.style.visibility = "hidden"; }
    });
  }

  // A table that scrolls sideways: which sides have more to see (the CSS fades them), and a
  // place in the tab order, so that the keyboard can scroll it; one that fits needs neither.
  function markScroll(table) {
    var box = table.parentElement, more = [];
    if (table.scrollLeft > 1) { more.push("left"); }
    if (table.scrollLeft + table.clientWidth < table.scrollWidth - 1) { more.push("right"); }
    box.setAttribute("data-more", more.join(" "));
    if (table.scrollWidth > table.clientWidth + 1) {
      table.setAttribute("tabindex", "0");
    } else {
      table.removeAttribute("tabindex");
    }
  }

  function watchTables() {
    document.querySelectorAll(".gr-scrollbox > table").forEach(function (table) {
      markScroll(table);
      if (!table.dataset.watched) {
        table.dataset.watched = "1";
        table.addEventListener("scroll", function () { markScroll(table); }, { passive: true });
      }
    });
  }
  window.addEventListener("resize", watchTables);
  // A folded table has no width until it is opened ("toggle" does not bubble: capture it).
  document.addEventListener("toggle", watchTables, true);

  function renderAll() {
    watchTables();
    if (typeof window.vegaEmbed !== "function") { return; }
    finalizeAll();
    var dark = isDark();
    document.querySelectorAll(".gr-chart").forEach(function (fig) {
      var target = fig.querySelector(".gr-vega");
      if (!target || !target.dataset.spec) { return; }
      var spec = narrow(JSON.parse(target.dataset.spec), target.clientWidth);
      // The chart's text alternative: its caption, without the download links.
      var caption = fig.querySelector("figcaption");
      var label = caption ? caption.textContent.split(" · ")[0] : target.dataset.chart;
      target.setAttribute("data-theme", dark ? "dark" : "light");
      var options = {
        actions: false,
        renderer: "svg",
        config: { background: null },
      };
      if (dark) { options.theme = "dark"; }
      window.vegaEmbed(target, spec, options).then(function (result) {
        views.push(result);
        var svg = target.querySelector("svg");
        if (svg) { svg.setAttribute("aria-label", label); }
        uncrowd(target);
        // The chart follows its container's width: look again after each resize.
        result.view.addResizeListener(function () { uncrowd(target); });
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
