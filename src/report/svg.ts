/**
 * Dependency-free inline SVG plots for the reports: line/scatter series (linear or log axes, legend,
 * reference lines), histograms, heat maps with polyline overlays and a colour bar, and box plots.
 * Every function returns one self-contained <svg> element as a string; all text is escaped, non-finite
 * values (and non-positive ones on a log axis) are left out rather than drawn, and every coordinate is
 * written with two decimals inside the plot's viewBox.
 */

export interface Axis {
  readonly label: string;
  readonly log?: boolean;
  /** Range; taken from the data (padded) when omitted. */
  readonly min?: number;
  readonly max?: number;
  /** Tick positions, where the data have their own (a sweep's m values); "nice" ones when omitted. */
  readonly ticks?: readonly number[];
}

export type Point = readonly [number, number];

export interface Series {
  readonly label: string;
  readonly points: readonly Point[];
  /** "line" joins the points, "points" marks them, "both" does both (default). */
  readonly style?: "line" | "points" | "both";
  readonly dashed?: boolean;
  /** A CSS colour; the palette's next one by default. */
  readonly color?: string;
}

export interface ReferenceLine {
  readonly label: string;
  /** A horizontal line at y, or a vertical one at x. */
  readonly y?: number;
  readonly x?: number;
}

export interface LinePlot {
  readonly title?: string;
  readonly x: Axis;
  readonly y: Axis;
  readonly series: readonly Series[];
  readonly references?: readonly ReferenceLine[];
  readonly width?: number;
  readonly height?: number;
}

export interface Histogram {
  readonly title?: string;
  readonly x: Axis;
  readonly values: readonly number[];
  readonly bins?: number;
  readonly yLabel?: string;
  /** The count axis' top: the same for histograms shown side by side (default the tallest bin). */
  readonly yMax?: number;
  readonly references?: readonly ReferenceLine[];
  readonly width?: number;
  readonly height?: number;
}

export interface HeatMap {
  readonly title?: string;
  readonly x: Axis & { readonly min: number; readonly max: number };
  readonly y: Axis & { readonly min: number; readonly max: number };
  /** values[row][col]: row 0 is the bottom (y = min), col 0 the left (x = min); cells tile the extent evenly. */
  readonly values: readonly (readonly number[])[];
  readonly colorLabel?: string;
  readonly overlays?: readonly Series[];
  readonly width?: number;
  readonly height?: number;
}

/**
 * Box plots side by side within each group (one box per series: Figure 4's regular Adam and surfing at each
 * m), coloured by series as in the legend; whiskers to the farthest values within 1.5 IQR, dots beyond.
 */
export interface BoxPlot {
  readonly title?: string;
  readonly y: Axis;
  /** The legend's labels; a group's boxes[j] belongs to series[j]. */
  readonly series: readonly string[];
  readonly groups: readonly { readonly label: string; readonly boxes: readonly (readonly number[])[] }[];
  readonly references?: readonly ReferenceLine[];
  readonly width?: number;
  readonly height?: number;
}

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

/** Escape text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const MARGIN = { top: 30, bottom: 46, left: 66, right: 14 };
const LEGEND_WIDTH = 220;
/** Legend labels longer than this are cut with an ellipsis (the full text is the entry's tooltip): 11 px text is ~6 px a character. */
const LEGEND_CHARS = 32;
const FONT = 'font-family="system-ui, sans-serif" font-size="11"';

/** A line/scatter plot. */
export function linePlot(p: LinePlot): string {
  const legend = p.series.length > 0;
  const frame = new Frame(p.width ?? 760, p.height ?? 380, legend ? LEGEND_WIDTH : 0, p.title);
  const xs = p.series.flatMap((s) => s.points.map((q) => q[0])).concat((p.references ?? []).flatMap((r) => (r.x === undefined ? [] : [r.x])));
  const ys = p.series.flatMap((s) => s.points.map((q) => q[1])).concat((p.references ?? []).flatMap((r) => (r.y === undefined ? [] : [r.y])));
  const sx = new Scale(p.x, xs, frame.left, frame.right), sy = new Scale(p.y, ys, frame.bottom, frame.top);
  const out = [frame.open(), frame.axes(sx, sy, p.x.label, p.y.label)];
  out.push(references(p.references ?? [], sx, sy, frame));
  p.series.forEach((s, i) => out.push(seriesPath(s, s.color ?? PALETTE[i % PALETTE.length], sx, sy)));
  if (legend) out.push(frame.legend(p.series.map((s, i) => ({ label: s.label, color: s.color ?? PALETTE[i % PALETTE.length], dashed: s.dashed, style: s.style ?? "both" }))));
  out.push("</svg>");
  return out.join("");
}

/** A histogram of `values` in equal-width bins (equal in log x on a log axis). */
export function histogram(p: Histogram): string {
  const frame = new Frame(p.width ?? 600, p.height ?? 320, 0, p.title);
  const values = p.values.filter((v) => Number.isFinite(v) && (!p.x.log || v > 0));
  const sx = new Scale(p.x, values.length > 0 ? values : [0, 1], frame.left, frame.right, false);
  const bins = Math.max(1, Math.floor(p.bins ?? Math.min(40, Math.max(5, Math.ceil(Math.sqrt(values.length))))));
  const counts = new Array<number>(bins).fill(0);
  const [lo, hi] = [sx.t(sx.min), sx.t(sx.max)];
  for (const v of values) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((sx.t(v) - lo) / (hi - lo || 1)) * bins)));
    counts[b]++;
  }
  const sy = new Scale({ label: p.yLabel ?? "count", min: 0 }, [0, Math.max(1, p.yMax ?? 0, extent(counts)[1])], frame.bottom, frame.top);
  const out = [frame.open(), frame.axes(sx, sy, p.x.label, p.yLabel ?? "count")];
  counts.forEach((c, b) => {
    const x0 = frame.left + ((frame.right - frame.left) * b) / bins, x1 = frame.left + ((frame.right - frame.left) * (b + 1)) / bins;
    const y = sy.px(c);
    out.push(`<rect x="${n(x0)}" y="${n(y)}" width="${n(Math.max(0, x1 - x0 - 1))}" height="${n(frame.bottom - y)}" fill="${PALETTE[0]}" fill-opacity="0.75"><title>${escapeXml(`${c}`)}</title></rect>`);
  });
  out.push(references(p.references ?? [], sx, sy, frame), "</svg>");
  return out.join("");
}

/** A heat map of a grid of values over a rectangle, with a colour bar and optional polyline overlays. */
export function heatMap(p: HeatMap): string {
  const frame = new Frame(p.width ?? 760, p.height ?? 440, LEGEND_WIDTH, p.title);
  const sx = new Scale({ ...p.x, log: false }, [p.x.min, p.x.max], frame.left, frame.right, false);
  const sy = new Scale({ ...p.y, log: false }, [p.y.min, p.y.max], frame.bottom, frame.top, false);
  const finite = p.values.flat().filter(Number.isFinite);
  const [vmin, vmax] = finite.length ? extent(finite) : [0, 1];
  const rows = p.values.length;
  const out = [frame.open()];
  const w = (frame.right - frame.left), h = (frame.bottom - frame.top);
  p.values.forEach((row, r) => {
    const cols = row.length;
    row.forEach((v, c) => {
      if (!Number.isFinite(v)) return;
      const x0 = frame.left + (w * c) / cols, y0 = frame.bottom - (h * (r + 1)) / rows;
      out.push(`<rect x="${n(x0)}" y="${n(y0)}" width="${n(w / cols + 0.3)}" height="${n(h / rows + 0.3)}" fill="${ramp((v - vmin) / (vmax - vmin || 1))}"/>`);
    });
  });
  out.push(frame.axes(sx, sy, p.x.label, p.y.label, false));
  (p.overlays ?? []).forEach((s, i) => out.push(seriesPath({ ...s, points: s.points.filter((q) => q[0] >= p.x.min && q[0] <= p.x.max && q[1] >= p.y.min && q[1] <= p.y.max) }, s.color ?? PALETTE[(i + 1) % PALETTE.length], sx, sy)));
  // Colour bar, then the overlays' legend under it.
  const bx = frame.right + 24, top = frame.top, bh = Math.min(160, h * 0.6);
  for (let i = 0; i < 32; i++) out.push(`<rect x="${n(bx)}" y="${n(top + (bh * (31 - i)) / 32)}" width="14" height="${n(bh / 32 + 0.3)}" fill="${ramp(i / 31)}"/>`);
  out.push(`<text x="${n(bx + 18)}" y="${n(top + 8)}" ${FONT}>${escapeXml(tickLabel(vmax))}</text>`);
  out.push(`<text x="${n(bx + 18)}" y="${n(top + bh)}" ${FONT}>${escapeXml(tickLabel(vmin))}</text>`);
  if (p.colorLabel) out.push(`<text x="${n(bx)}" y="${n(top + bh + 16)}" ${FONT}>${escapeXml(p.colorLabel)}</text>`);
  if (p.overlays?.length) out.push(frame.legend(p.overlays.map((s, i) => ({ label: s.label, color: s.color ?? PALETTE[(i + 1) % PALETTE.length], dashed: s.dashed, style: s.style ?? "both" })), top + bh + 30));
  out.push("</svg>");
  return out.join("");
}

/** Box plots: quartiles, median, whiskers to the last value within 1.5 IQR, outliers as dots. */
export function boxPlot(p: BoxPlot): string {
  const legend = p.series.length > 1;
  const boxes = Math.max(1, p.series.length), wide = 140 + 36 * boxes * p.groups.length + (legend ? LEGEND_WIDTH : 0);
  const frame = new Frame(p.width ?? Math.max(600, wide), p.height ?? 340, legend ? LEGEND_WIDTH : 0, p.title);
  const usable = (t: number) => Number.isFinite(t) && (!p.y.log || t > 0);
  const all = p.groups.flatMap((g) => g.boxes.flatMap((b) => b.filter(usable)));
  const sy = new Scale(p.y, all.concat((p.references ?? []).flatMap((r) => (r.y === undefined ? [] : [r.y]))), frame.bottom, frame.top);
  const out = [frame.open(), frame.axes(null, sy, "", p.y.label)];
  const slot = (frame.right - frame.left) / Math.max(1, p.groups.length);
  const half = Math.min(28 / boxes, (slot * 0.3) / boxes);
  p.groups.forEach((g, i) => {
    const centre = frame.left + slot * (i + 0.5);
    out.push(`<text x="${n(centre)}" y="${n(frame.bottom + 16)}" text-anchor="middle" ${FONT}>${escapeXml(g.label)}</text>`);
    g.boxes.forEach((values, j) => {
      const v = values.filter(usable).sort((a, b) => a - b);
      if (v.length === 0) return;
      const cx = centre + (2 * j - (boxes - 1)) * half * 1.25, color = PALETTE[j % PALETTE.length];
      const q1 = quantile(v, 0.25), q2 = quantile(v, 0.5), q3 = quantile(v, 0.75), iqr = q3 - q1;
      const inside = v.filter((t) => t >= q1 - 1.5 * iqr && t <= q3 + 1.5 * iqr);
      const lo = inside[0] ?? q1, hi = inside[inside.length - 1] ?? q3;
      for (const [a, b] of [[lo, q1], [q3, hi]]) out.push(`<line x1="${n(cx)}" x2="${n(cx)}" y1="${n(sy.px(a))}" y2="${n(sy.px(b))}" stroke="${color}"/>`);
      out.push(`<rect x="${n(cx - half)}" y="${n(sy.px(q3))}" width="${n(2 * half)}" height="${n(Math.max(0.5, sy.px(q1) - sy.px(q3)))}" fill="${color}" fill-opacity="0.25" stroke="${color}"/>`);
      out.push(`<line x1="${n(cx - half)}" x2="${n(cx + half)}" y1="${n(sy.px(q2))}" y2="${n(sy.px(q2))}" stroke="${color}" stroke-width="2"/>`);
      for (const t of v) if (t < lo || t > hi) out.push(`<circle cx="${n(cx)}" cy="${n(sy.px(t))}" r="2" fill="${color}"/>`);
    });
  });
  out.push(references(p.references ?? [], null, sy, frame));
  if (legend) out.push(frame.legend(p.series.map((label, j) => ({ label, color: PALETTE[j % PALETTE.length], style: "line" }))));
  out.push("</svg>");
  return out.join("");
}

/** [min, max] of a non-empty list (without spreading it into arguments: lists can be long). */
function extent(values: readonly number[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q, i = Math.floor(at);
  return i + 1 < sorted.length ? sorted[i] + (at - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/** Maps data to pixels on one axis, linear or log10, with "nice" ticks. */
class Scale {
  readonly min: number;
  readonly max: number;
  readonly log: boolean;

  constructor(readonly axis: Axis, data: readonly number[], readonly p0: number, readonly p1: number, pad = true) {
    this.log = axis.log === true;
    const ok = data.filter((v) => Number.isFinite(v) && (!this.log || v > 0));
    const [dataLo, dataHi] = ok.length ? extent(ok) : this.log ? [1, 10] : [0, 1];
    let lo = axis.min ?? dataLo;
    let hi = axis.max ?? dataHi;
    if (this.log) {
      lo = Math.max(lo, Number.MIN_VALUE);
      hi = Math.max(hi, lo);
      if (hi === lo) [lo, hi] = [lo / 2, hi * 2];
      if (pad && axis.min === undefined) lo /= 1.15;
      if (pad && axis.max === undefined) hi *= 1.15;
    } else {
      if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
      const span = hi - lo;
      if (pad && axis.min === undefined) lo -= 0.05 * span;
      if (pad && axis.max === undefined) hi += 0.05 * span;
    }
    this.min = lo;
    this.max = hi;
  }

  /** The axis coordinate: log10 on a log axis. */
  t(v: number): number {
    return this.log ? Math.log10(v) : v;
  }

  px(v: number): number {
    const a = this.t(this.min), b = this.t(this.max);
    return this.p0 + ((this.t(v) - a) / (b - a)) * (this.p1 - this.p0);
  }

  inside(v: number): boolean {
    return Number.isFinite(v) && (!this.log || v > 0) && v >= this.min && v <= this.max;
  }

  ticks(): number[] {
    if (this.axis.ticks) return this.axis.ticks.filter((v) => this.inside(v));
    if (this.log) {
      const a = Math.floor(Math.log10(this.min)), b = Math.ceil(Math.log10(this.max));
      const steps = b - a <= 1 ? [1, 2, 3, 5] : b - a <= 3 ? [1, 2, 5] : [1];
      const stride = Math.max(1, Math.ceil((b - a) / 8));
      const out: number[] = [];
      for (let e = a; e <= b; e += stride) for (const s of steps) out.push(s * 10 ** e);
      return out.filter((v) => v >= this.min * (1 - 1e-12) && v <= this.max * (1 + 1e-12));
    }
    const span = this.max - this.min, raw = span / 6, mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((s) => s * mag).find((s) => span / s <= 7) ?? 10 * mag;
    const out: number[] = [];
    for (let v = Math.ceil(this.min / step) * step; v <= this.max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return out;
  }
}

/** The plot area and its furniture. */
class Frame {
  readonly left = MARGIN.left;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;

  constructor(readonly width: number, readonly height: number, legendWidth: number, readonly title?: string) {
    this.top = MARGIN.top;
    this.right = width - MARGIN.right - legendWidth;
    this.bottom = height - MARGIN.bottom;
  }

  open(): string {
    const title = this.title ? `<text x="${n(this.width / 2)}" y="18" text-anchor="middle" font-family="system-ui, sans-serif" font-size="13" font-weight="600">${escapeXml(this.title)}</text>` : "";
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${this.width} ${this.height}" width="${this.width}" height="${this.height}" role="img">` +
      `<rect x="0" y="0" width="${this.width}" height="${this.height}" fill="#ffffff"/>${title}`;
  }

  axes(sx: Scale | null, sy: Scale, xLabel: string, yLabel: string, grid = true): string {
    const out = [`<rect x="${n(this.left)}" y="${n(this.top)}" width="${n(this.right - this.left)}" height="${n(this.bottom - this.top)}" fill="none" stroke="#444"/>`];
    if (sx) {
      for (const v of sx.ticks()) {
        const x = sx.px(v);
        if (grid) out.push(`<line x1="${n(x)}" x2="${n(x)}" y1="${n(this.top)}" y2="${n(this.bottom)}" stroke="#e6e6e6"/>`);
        out.push(`<line x1="${n(x)}" x2="${n(x)}" y1="${n(this.bottom)}" y2="${n(this.bottom + 4)}" stroke="#444"/>`);
        out.push(`<text x="${n(x)}" y="${n(this.bottom + 16)}" text-anchor="middle" ${FONT}>${escapeXml(tickLabel(v))}</text>`);
      }
    }
    for (const v of sy.ticks()) {
      const y = sy.px(v);
      if (grid) out.push(`<line x1="${n(this.left)}" x2="${n(this.right)}" y1="${n(y)}" y2="${n(y)}" stroke="#e6e6e6"/>`);
      out.push(`<line x1="${n(this.left - 4)}" x2="${n(this.left)}" y1="${n(y)}" y2="${n(y)}" stroke="#444"/>`);
      out.push(`<text x="${n(this.left - 6)}" y="${n(y + 4)}" text-anchor="end" ${FONT}>${escapeXml(tickLabel(v))}</text>`);
    }
    out.push(`<text x="${n((this.left + this.right) / 2)}" y="${n(this.height - 10)}" text-anchor="middle" ${FONT}>${escapeXml(xLabel)}</text>`);
    out.push(`<text transform="translate(14 ${n((this.top + this.bottom) / 2)}) rotate(-90)" text-anchor="middle" ${FONT}>${escapeXml(yLabel)}</text>`);
    return out.join("");
  }

  legend(entries: { label: string; color: string; dashed?: boolean; style: string }[], top = this.top): string {
    const x = this.right + 14;
    return entries.map((e, i) => {
      const y = top + 8 + i * 16;
      const mark = e.style === "points"
        ? `<circle cx="${n(x + 11)}" cy="${n(y)}" r="3" fill="${e.color}"/>`
        : `<line x1="${n(x)}" x2="${n(x + 22)}" y1="${n(y)}" y2="${n(y)}" stroke="${e.color}" stroke-width="2"${e.dashed ? ' stroke-dasharray="5 3"' : ""}/>`;
      const shown = e.label.length > LEGEND_CHARS ? e.label.slice(0, LEGEND_CHARS - 1) + "…" : e.label;
      return `<g>${mark}<text x="${n(x + 28)}" y="${n(y + 4)}" ${FONT}>${escapeXml(shown)}</text><title>${escapeXml(e.label)}</title></g>`;
    }).join("");
  }
}

function references(refs: readonly ReferenceLine[], sx: Scale | null, sy: Scale, f: Frame): string {
  return refs.map((r) => {
    if (r.y !== undefined && sy.inside(r.y)) {
      const y = sy.px(r.y);
      return `<line x1="${n(f.left)}" x2="${n(f.right)}" y1="${n(y)}" y2="${n(y)}" stroke="#555" stroke-dasharray="2 3"/>` +
        `<text x="${n(f.right - 4)}" y="${n(y - 4)}" text-anchor="end" ${FONT} fill="#555">${escapeXml(r.label)}</text>`;
    }
    if (r.x !== undefined && sx && sx.inside(r.x)) {
      const x = sx.px(r.x);
      return `<line x1="${n(x)}" x2="${n(x)}" y1="${n(f.top)}" y2="${n(f.bottom)}" stroke="#555" stroke-dasharray="2 3"/>` +
        `<text x="${n(x + 4)}" y="${n(f.top + 12)}" ${FONT} fill="#555">${escapeXml(r.label)}</text>`;
    }
    return "";
  }).join("");
}

/** A series as a polyline (broken where a point cannot be drawn) and/or markers. */
function seriesPath(s: Series, color: string, sx: Scale, sy: Scale): string {
  const style = s.style ?? "both";
  const out: string[] = [];
  if (style !== "points") {
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) out.push(`<polyline points="${run.join(" ")}" fill="none" stroke="${color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`);
      run = [];
    };
    for (const [x, y] of s.points) {
      if (sx.inside(x) && sy.inside(y)) run.push(`${n(sx.px(x))},${n(sy.px(y))}`);
      else flush();
    }
    flush();
  }
  if (style !== "line") {
    for (const [x, y] of s.points) {
      if (sx.inside(x) && sy.inside(y)) out.push(`<circle cx="${n(sx.px(x))}" cy="${n(sy.px(y))}" r="2.6" fill="${color}"><title>${escapeXml(`${s.label}: (${tickLabel(x)}, ${tickLabel(y)})`)}</title></circle>`);
    }
  }
  return out.join("");
}

/** Viridis-like ramp, t in [0, 1] (clamped; not finite: 0), as [r, g, b] in 0…255 (also the panel's canvas colours). */
export function rampRgb(t: number): [number, number, number] {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(u)), f = u - i;
  const c = stops[i].map((a, j) => Math.round(a + f * (stops[i + 1][j] - a)));
  return [c[0], c[1], c[2]];
}

function ramp(t: number): string {
  return `rgb(${rampRgb(t).join(",")})`;
}

/** A compact tick label: 0.001 → 1e-3, 12000 → 1.2e4, else up to 3 significant digits. */
export function tickLabel(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) {
    const [m, e] = v.toExponential(1).split("e");
    return `${m.replace(/\.0$/, "")}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(3)));
}

/** A pixel coordinate with two decimals. */
function n(v: number): string {
  return Number.isFinite(v) ? v.toFixed(2) : "0";
}
