// The report's inline SVG: well-formed XML, every drawn coordinate inside the viewBox, text escaped, non-finite and
// (on log axes) non-positive values left out, readable ticks.
import { expect } from "chai";
import { boxPlot, escapeXml, heatMap, histogram, linePlot, PALETTE, tickLabel } from "../../src/report/svg.js";
import { checkXml } from "./xml.js";

/** Every numeric x/y/cx/cy/x1/x2/y1/y2/width/height and polyline point, checked to lie in [0, W] × [0, H]. */
function coordinatesInside(svg: string): void {
  const [, W, H] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!.map(Number);
  for (const [, name, value] of svg.matchAll(/\s(x|y|cx|cy|x1|x2|y1|y2|width|height)="([^"]*)"/g)) {
    const v = Number(value);
    expect(Number.isFinite(v), `${name}="${value}"`).to.equal(true);
    const limit = name.startsWith("x") || name === "cx" || name === "width" ? W : H;
    expect(v, `${name}="${value}"`).to.be.within(-1e-9, limit + 1e-9);
  }
  for (const [, points] of svg.matchAll(/points="([^"]*)"/g)) {
    for (const pair of points.trim().split(/\s+/)) {
      const [x, y] = pair.split(",").map(Number);
      expect(x).to.be.within(0, W);
      expect(y).to.be.within(0, H);
    }
  }
  expect(svg).to.not.match(/NaN|Infinity/);
}

describe("report: SVG plots", () => {
  const nasty = `a < b & "c" 'd' > e`;

  it("a line plot on log–log axes: well-formed, in range, escaped, non-positive and non-finite points left out", () => {
    const svg = linePlot({
      title: nasty,
      x: { label: nasty, log: true },
      y: { label: "y <axis>", log: true },
      series: [
        { label: nasty, points: [[1, 1], [10, 0.1], [100, 0.01], [1000, 0], [-5, 3], [NaN, 2], [50, Infinity]] },
        { label: "scatter", points: [[2, 0.5], [20, 0.05]], style: "points", dashed: true },
      ],
      references: [{ label: "ref & line", y: 0.2 }, { label: "x ref", x: 30 }],
    });
    checkXml(svg);
    coordinatesInside(svg);
    expect(svg).to.include("a &lt; b &amp; &quot;c&quot; &#39;d&#39; &gt; e");
    expect(svg).to.not.include(nasty);
    expect(svg.match(/<circle[^>]*><title>/g)).to.have.length(3 + 2);   // the three drawable points of the first series, two of the second (the legend has no tooltip circles)
    expect(svg).to.include(">0.01<").and.include(">0.1<").and.include(">100<");   // decade ticks
    // A sweep's own x values as ticks (Figure 3's m = 10 … 400: "nice" log ticks left out 400)
    const ms = [10, 20, 30, 40, 50, 70, 100, 200, 400];
    const own = linePlot({ x: { label: "m", log: true, ticks: ms }, y: { label: "rate", min: 0, max: 1 }, series: [{ label: "s", points: ms.map((m) => [m, 0.5] as const) }] });
    checkXml(own);
    const xTicks = [...own.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle"[^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(xTicks).to.deep.equal(ms);
  });

  it("a linear plot with a constant series and empty series stays well-formed", () => {
    for (const series of [[{ label: "flat", points: [[0, 1], [1, 1]] as [number, number][] }], [{ label: "empty", points: [] }]]) {
      const svg = linePlot({ x: { label: "x" }, y: { label: "y" }, series });
      checkXml(svg);
      coordinatesInside(svg);
    }
  });

  it("a histogram counts every value once", () => {
    const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
    const svg = histogram({ title: "h", x: { label: "v" }, values: [...values, NaN], bins: 10 });
    checkXml(svg);
    coordinatesInside(svg);
    const counts = [...svg.matchAll(/<title>(\d+)<\/title>/g)].map((m) => Number(m[1]));
    expect(counts).to.have.length(10);
    expect(counts.reduce((a, b) => a + b, 0)).to.equal(1000);
  });

  it("a heat map draws one cell per finite value, its colour bar and clipped overlays", () => {
    const values = Array.from({ length: 6 }, (_, r) => Array.from({ length: 8 }, (_, c) => (r === 2 && c === 3 ? NaN : r * c)));
    const svg = heatMap({
      x: { label: "x", min: -1, max: 1 }, y: { label: "y", min: 0, max: 2 }, values, colorLabel: "f & g",
      overlays: [{ label: "path", points: [[-2, 0], [-0.5, 0.5], [0, 1], [0.5, 1.5], [3, 3]] }],
    });
    checkXml(svg);
    coordinatesInside(svg);
    expect(svg.match(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="rgb/g)).to.have.length(47 + 32);
    expect(svg).to.include("f &amp; g");
  });

  it("box plots: quartiles, whiskers and outliers, a box per series in each group, coloured as the legend", () => {
    const svg = boxPlot({
      y: { label: "value" }, series: ["first", "second"],
      groups: [{ label: "a<b", boxes: [[1, 2, 3, 4, 5, 6, 7, 8, 9, 100], [2, 4, 6]] }, { label: "empty", boxes: [[], []] }],
    });
    checkXml(svg);
    coordinatesInside(svg);
    expect(svg.match(/<circle/g)).to.have.length(1);   // 100 is beyond Q3 + 1.5 IQR
    expect(svg).to.include("a&lt;b");
    const boxes = [...svg.matchAll(/<rect x="([^"]*)" y="([^"]*)" width="([^"]*)" height="([^"]*)" fill="([^"]*)" fill-opacity/g)];
    expect(boxes.map((b) => b[5])).to.deep.equal([PALETTE[0], PALETTE[1]]);
    expect(Number(boxes[0][1]) + Number(boxes[0][3])).to.be.below(Number(boxes[1][1]));   // side by side, not overlapping
    for (const [j, label] of ["first", "second"].entries()) expect(svg).to.match(new RegExp(`stroke="${PALETTE[j]}"[^>]*/><text[^>]*>${label}<`));
    // the second box, [2, 4, 6]: quartiles 3 and 5 (interpolated), median 4 in the middle, whiskers of half
    // the box's height each, from 2 to 3 and from 5 to 6
    const [, , top, , height] = boxes[1].map(Number), y = (x: string) => Number(x);
    const median = [...svg.matchAll(new RegExp(`<line x1="${boxes[1][1]}" x2="[^"]*" y1="([^"]*)" y2="[^"]*" stroke="${PALETTE[1]}" stroke-width="2"/>`, "g"))].map((m) => y(m[1]));
    expect(median).to.have.length(1);
    expect(median[0]).to.be.closeTo(top + height / 2, 0.01);
    const whiskers = [...svg.matchAll(new RegExp(`<line x1="[^"]*" x2="[^"]*" y1="([^"]*)" y2="([^"]*)" stroke="${PALETTE[1]}"/>`, "g"))].map((m) => Math.abs(y(m[2]) - y(m[1])));
    expect(whiskers).to.have.length(2);
    for (const w of whiskers) expect(w).to.be.closeTo(height / 2, 0.01);
  });

  it("tick labels and escaping", () => {
    expect(tickLabel(0.001)).to.equal("0.001");
    expect(tickLabel(0.0001)).to.equal("1e-4");
    expect(tickLabel(250000)).to.equal("2.5e5");
    expect(tickLabel(12.345)).to.equal("12.3");
    expect(tickLabel(0)).to.equal("0");
    expect(escapeXml(`<&>"'`)).to.equal("&lt;&amp;&gt;&quot;&#39;");
  });
});
