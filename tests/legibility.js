// Every axis label, legend label and text mark of each chart on the page, as the rotated box it
// occupies on screen (getBBox through getScreenCTM): the pairs that overlap by more than a pixel
// and the labels that run outside their chart's SVG. Returns one entry per chart.
() => {
  const SELECTORS = [".role-axis-label text", ".role-legend-label text", ".role-mark.mark-text text"];
  function corners(el) {
    const b = el.getBBox();
    const m = el.getScreenCTM();
    if (!m || (b.width === 0 && b.height === 0)) return null;
    return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
      .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
  }
  function axes(poly) {
    const out = [];
    for (let i = 0; i < 2; i++) {
      const [x1, y1] = poly[i], [x2, y2] = poly[i + 1];
      const len = Math.hypot(x2 - x1, y2 - y1) || 1;
      out.push([-(y2 - y1) / len, (x2 - x1) / len]);
    }
    return out;
  }
  // Separating axis theorem on two convex quadrilaterals: the smallest penetration depth over
  // their edge normals (0 or less: apart).
  function depth(p, q) {
    let least = Infinity;
    for (const [ax, ay] of [...axes(p), ...axes(q)]) {
      const pr = p.map(([x, y]) => x * ax + y * ay), qr = q.map(([x, y]) => x * ax + y * ay);
      const d = Math.min(Math.max(...pr), Math.max(...qr)) - Math.max(Math.min(...pr), Math.min(...qr));
      least = Math.min(least, d);
      if (least <= 0) return least;
    }
    return least;
  }
  return [...document.querySelectorAll(".gr-vega")].map(chart => {
    const svg = chart.querySelector("svg");
    if (!svg) return {id: chart.dataset.chart, missing: true, overlaps: [], outside: [], labels: 0};
    const frame = svg.getBoundingClientRect();
    const boxes = [];
    for (const sel of SELECTORS) {
      for (const el of svg.querySelectorAll(sel)) {
        if (!el.textContent.trim()) continue;
        const style = getComputedStyle(el);
        if (style.visibility === "hidden" || style.display === "none" ||
            Number(el.getAttribute("opacity") ?? 1) === 0 || Number(el.getAttribute("fill-opacity") ?? 1) === 0) continue;
        const c = corners(el);
        if (c) boxes.push({text: el.textContent, kind: sel.split(" ")[0], c});
      }
    }
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        if (depth(boxes[i].c, boxes[j].c) > 1) overlaps.push([boxes[i].text, boxes[j].text]);
      }
    }
    const outside = boxes.filter(b => b.c.some(([x, y]) =>
      x < frame.left - 1 || x > frame.right + 1 || y < frame.top - 1 || y > frame.bottom + 1))
      .map(b => b.text);
    return {id: chart.dataset.chart, overlaps, outside, labels: boxes.length};
  });
}
