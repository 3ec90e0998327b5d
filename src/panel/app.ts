/**
 * The report's interactive panel, run in the reader's browser by the library's own code and WebAssembly build
 * (scripts/bundle.mjs bundles this module and everything it imports into one inline script). For a k = 2
 * checkpoint sequence θ_0 … θ_T (./data.ts): heat maps of f(x) = ½‖G(x) − y‖² on [−L, L]²; a click picks x*,
 * the target is y = G_θT(x*), and src/surf's `run` — the code behind the reports' tables — runs regular Adam on
 * θ_T and surfing (Algorithm 3.1 under the NeurIPS schedule, with the budget the report computed) from the same
 * x_init, tracing every step; the page then animates both paths, surfing's on the landscape of the network it
 * is on.
 *
 * For tests and the curious: every panel's root carries data-state (loading, ready, running, done, error) and
 * window.__surfPanel lists every panel's state (PanelState).
 */
import { kernels } from "../kernels/index.js";
import { networkFromSafetensors } from "../nn/checkpoint.js";
import type { Network } from "../nn/network.js";
import { surfaceValues, type Grid } from "../landscape/surface.js";
import { rampRgb } from "../report/svg.js";
import { SUCCESS_RADIUS } from "../surf/descent.js";
import { distance } from "../tensor/vector.js";
import { run, type Method, type NetworkSequence, type TrialResult } from "../surf/surf.js";
import { isPanelData, type PanelData } from "./data.js";

type Point = [number, number];

/** One method's run: the points it visited (network index, gradient steps so far), and its result. */
interface Trace {
  points: { t: number; step: number; x: Point }[];
  result: TrialResult;
}

interface MethodState {
  /** Points drawn so far, of `total`. */
  shown: number;
  total: number;
  /** The last point drawn: where, on which network, after how many gradient steps, how far from x*. */
  x: Point | null;
  network: number;
  steps: number;
  distance: number | null;
  /** ‖x̂ − x*‖ < 0.01 at the end (null until then). */
  success: boolean | null;
}

export interface PanelState {
  state: "loading" | "ready" | "running" | "done" | "error";
  backend: string;
  clicks: number;
  xStar: Point;
  xInit: Point | null;
  surf: MethodState;
  adam: MethodState;
  error?: string;
}

/** Canvas side of a pane, in pixels. */
const SIDE = 320;
/** Frames an animation takes (about 4 s at 60 Hz), whatever the number of steps. */
const FRAMES = 240;
const COLORS = { surf: "#ffffff", adam: "#ff3b3b", xStar: "#00e5ff" } as const;

function idle(): MethodState {
  return { shown: 0, total: 0, x: null, network: 0, steps: 0, distance: null, success: null };
}

function fail(root: HTMLElement, state: PanelState, e: unknown): void {
  state.state = "error";
  state.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  root.dataset.state = "error";
  const p = document.createElement("p");
  p.style.color = "#c62828";
  p.textContent = `The panel stopped: ${state.error}`;
  root.append(p);
  console.error(e);
}

/** The JSON the report put beside the panel (html.ts: the data script first in the app's <div>). */
function readData(root: HTMLElement): PanelData {
  const script = root.parentElement?.querySelector(':scope > script[type="application/json"]');
  const data: unknown = JSON.parse(script?.textContent ?? "null");
  if (!isPanelData(data)) throw new Error("the panel's data is missing or malformed (regenerate the report)");
  return data;
}

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text), out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

class Panel {
  private readonly files: Uint8Array[];
  private readonly sequence: NetworkSequence;
  /** θ_T in float32, for the images G_θT(x) under the panes. */
  private readonly final: Network;
  private readonly grid: Grid;
  private readonly panes: { surf: Pane; adam: Pane };
  private readonly images: { target: ImageView; surf: ImageView; adam: ImageView };
  private readonly status: HTMLElement;
  /** The heat map of each network index drawn so far, for the current target. */
  private maps = new Map<number, HTMLCanvasElement>();
  private y: Float64Array = new Float64Array(0);
  /** Bumped by every click, so a running animation knows it was superseded. */
  private generation = 0;

  constructor(private readonly root: HTMLElement, private readonly data: PanelData, private readonly state: PanelState) {
    this.files = data.networks.map(base64Bytes);
    this.sequence = { length: this.files.length, load: (t) => networkFromSafetensors(this.files[t], `θ_${t}`).network };
    this.final = this.sequence.load(this.files.length - 1);
    if (this.final.inputSize !== 2) throw new Error(`the panel needs a generator with k = 2, this one has k = ${this.final.inputSize}`);
    this.grid = { lo: -data.box, hi: data.box, size: data.grid };
    root.replaceChildren();
    root.style.cssText = "display:flex;flex-wrap:wrap;gap:12px 20px;align-items:flex-start";
    this.panes = { surf: new Pane(root, "surfing over θ_0 … θ_T"), adam: new Pane(root, "regular Adam on θ_T") };
    const strip = element(root, "div", "display:flex;gap:14px;align-items:flex-end;flex-basis:100%"), side = Math.sqrt(this.final.outputSize);
    if (!Number.isInteger(side)) strip.style.display = "none";   // not a square grey image: nothing to show
    this.images = { target: new ImageView(strip, side, "target y = G_θT(x*)"), surf: new ImageView(strip, side, "surfing: G_θT(x)"), adam: new ImageView(strip, side, "regular Adam: G_θT(x)") };
    this.status = element(root, "p", "flex-basis:100%;margin:0;font-size:.85em;color:#555");
    for (const pane of Object.values(this.panes)) pane.canvas.addEventListener("click", (e) => this.click(pane.canvas, e));
    this.setTarget(data.initial);
    this.draw();
    this.status.textContent = `Ready: click a point x* (running on the library's ${kernels.backend === "wasm" ? "WebAssembly SIMD" : "TypeScript"} kernels).`;
    this.setState("ready");
  }

  private setState(s: PanelState["state"]): void {
    this.state.state = s;
    this.root.dataset.state = s;
  }

  private click(canvas: HTMLCanvasElement, e: MouseEvent): void {
    const r = canvas.getBoundingClientRect(), { lo, hi } = this.grid;
    const xStar: Point = [lo + ((e.clientX - r.left) / r.width) * (hi - lo), hi - ((e.clientY - r.top) / r.height) * (hi - lo)];
    try {
      this.start(xStar);
    } catch (err) {
      fail(this.root, this.state, err);
    }
  }

  /** y = G_θT(x*) and a fresh set of landscapes for it. */
  private setTarget(xStar: Point): void {
    this.state.xStar = xStar;
    const net = this.network64(this.files.length - 1);
    try {
      this.y = net.forward([xStar])[0];
    } finally {
      net.free();
    }
    this.maps.clear();
    this.images.target.show(this.y);
  }

  private network64(t: number): Network {
    return networkFromSafetensors(this.files[t], `θ_${t}`, { dtype: "f64" }).network;
  }

  /** Run both methods for x* (the click's own x_init), then animate them. */
  private start(xStar: Point): void {
    const generation = ++this.generation, click = ++this.state.clicks;
    this.setState("running");
    this.setTarget(xStar);
    const trace = (method: Method): Trace => {
      const points: Trace["points"] = [];
      const [result] = run(this.sequence, method, [0], {
        seed: `${this.data.seed}/click/${click}`, targets: { kind: "latent", xStar: [xStar] }, measurement: { kind: "identity" },
        optimizer: { kind: "adam" }, maxSteps: this.data.maxSteps, start: "uniform", batch: 1,
        // a network's first point is where the last one ended (surfing's warm start): no step
        onPoint: (_, t, x) => {
          const last = points.at(-1);
          points.push({ t, step: last ? last.step + (last.t === t ? 1 : 0) : 0, x: [x[0], x[1]] });
        },
      });
      return { points, result };
    };
    const adam = trace({ kind: "regular" });
    const surf = trace({ kind: "surf", schedule: { kind: "neurips", total: this.data.budget.total } });
    this.state.xInit = [adam.result.xInit[0], adam.result.xInit[1]];
    this.state.surf = { ...idle(), total: surf.points.length };
    this.state.adam = { ...idle(), total: adam.points.length };
    const per = Math.max(1, Math.ceil(Math.max(surf.points.length, adam.points.length) / FRAMES));
    let shown = 0;
    const frame = () => {
      if (generation !== this.generation) return;
      shown += per;
      this.advance(this.state.surf, surf, shown);
      this.advance(this.state.adam, adam, shown);
      const finished = shown >= Math.max(surf.points.length, adam.points.length);
      this.draw(surf, adam, finished);
      if (!finished) {
        requestAnimationFrame(frame);
        return;
      }
      for (const [s, tr] of [[this.state.surf, surf], [this.state.adam, adam]] as const) s.success = tr.result.distToXStar !== null && tr.result.distToXStar < SUCCESS_RADIUS;
      this.setState("done");
    };
    requestAnimationFrame(frame);
  }

  private advance(s: MethodState, trace: Trace, shown: number): void {
    s.shown = Math.min(shown, trace.points.length);
    const p = trace.points[s.shown - 1];
    s.x = p.x;
    s.network = p.t;
    s.steps = p.step;
    s.distance = distance(p.x, this.state.xStar);
  }

  /** Both panes, the images and the status line, as far as the animation has got. */
  private draw(surf?: Trace, adam?: Trace, finished = false): void {
    const T = this.files.length - 1, { surf: s, adam: a } = this.state;
    const t = surf ? s.network : T;
    this.panes.surf.draw(this.map(t), this.grid, this.state, surf && { trace: surf, shown: s.shown, color: COLORS.surf });
    this.panes.adam.draw(this.map(T), this.grid, this.state, adam && { trace: adam, shown: a.shown, color: COLORS.adam });
    this.panes.surf.caption(`surfing — on θ_${t} of θ_0 … θ_${T} (training step ${this.data.steps[t]})`);
    this.panes.adam.caption(`regular Adam — on θ_${T}`);
    if (!surf || !adam || !s.x || !a.x) return;
    this.images.surf.show(this.final.forward([s.x])[0]);
    this.images.adam.show(this.final.forward([a.x])[0]);
    const line = (name: string, m: MethodState) =>
      `${name}: ${m.steps} steps, ‖x − x*‖ = ${m.distance!.toPrecision(2)}${finished ? (m.distance! < SUCCESS_RADIUS ? " — found x*" : " — missed x*") : ""}`;
    this.status.textContent = `x* = (${this.state.xStar.map((v) => v.toFixed(2)).join(", ")}). ${line("Surfing", s)}. ${line("Regular Adam", a)}.`;
  }

  /** f_θt on the grid as an image, coloured by rank (bright: low f), computed when first needed for this target. */
  private map(t: number): HTMLCanvasElement {
    let canvas = this.maps.get(t);
    if (canvas) return canvas;
    const net = this.network64(t);
    let surface: Float64Array;
    try {
      surface = surfaceValues(net, this.y, this.grid);   // −f, row r at x2 = axis[r] from the bottom
    } finally {
      net.free();
    }
    const n = this.grid.size, order = Array.from(surface.keys()).sort((a, b) => surface[b] - surface[a]), rank = new Float64Array(n * n);
    order.forEach((i, r) => (rank[i] = r / (n * n - 1)));
    canvas = document.createElement("canvas");
    canvas.width = canvas.height = n;
    const ctx = canvas.getContext("2d")!, image = ctx.createImageData(n, n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const rgb = rampRgb(1 - rank[r * n + c]), at = 4 * ((n - 1 - r) * n + c);
        image.data.set([...rgb, 255], at);
      }
    }
    ctx.putImageData(image, 0, 0);
    this.maps.set(t, canvas);
    return canvas;
  }
}

function element<K extends keyof HTMLElementTagNameMap>(parent: HTMLElement, tag: K, css: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.style.cssText = css;
  parent.append(e);
  return e;
}

/** A heat map with paths on it. */
class Pane {
  readonly canvas: HTMLCanvasElement;
  private readonly label: HTMLElement;

  constructor(parent: HTMLElement, title: string) {
    const figure = element(parent, "figure", "margin:0");
    this.canvas = element(figure, "canvas", `width:${SIDE}px;height:${SIDE}px;cursor:crosshair;display:block;border:1px solid #ccc`);
    this.canvas.width = this.canvas.height = SIDE;
    this.canvas.title = `${title}: click to choose x*`;
    this.label = element(figure, "figcaption", "font-size:.85em;color:#555;max-width:320px");
  }

  caption(text: string): void {
    this.label.textContent = text;
  }

  draw(map: HTMLCanvasElement, grid: Grid, state: PanelState, path?: { trace: Trace; shown: number; color: string }): void {
    const ctx = this.canvas.getContext("2d")!, { lo, hi, size } = grid;
    const px = (x: Point): Point => [((x[0] - lo) / (hi - lo)) * SIDE, ((hi - x[1]) / (hi - lo)) * SIDE];
    // Grid point c sits at lo + c·h: the image reaches half a cell past the square on every side.
    const half = (SIDE / (size - 1)) / 2;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(map, -half, -half, SIDE + 2 * half, SIDE + 2 * half);
    if (path && path.shown > 0) {
      const points = path.trace.points.slice(0, path.shown).map((p) => px(p.x));
      for (const [width, color] of [[3.5, "rgba(0,0,0,0.7)"], [1.6, path.color]] as const) {
        ctx.beginPath();
        points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
        ctx.lineWidth = width;
        ctx.strokeStyle = color;
        ctx.stroke();
      }
      marker(ctx, points[points.length - 1], 4, path.color);
    }
    if (state.xInit) marker(ctx, px(state.xInit), 4, "#000000");
    const [sx, sy] = px(state.xStar);
    ctx.beginPath();
    ctx.moveTo(sx - 6, sy - 6);
    ctx.lineTo(sx + 6, sy + 6);
    ctx.moveTo(sx + 6, sy - 6);
    ctx.lineTo(sx - 6, sy + 6);
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = COLORS.xStar;
    ctx.stroke();
  }
}

function marker(ctx: CanvasRenderingContext2D, [x, y]: Point, r: number, fill: string): void {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = "#ffffff";
  ctx.stroke();
}

/** A square grey image (values in [0, 1]) shown 84 px wide, with a label. */
class ImageView {
  private readonly canvas: HTMLCanvasElement;

  constructor(parent: HTMLElement, private readonly side: number, label: string) {
    const figure = element(parent, "figure", "margin:0;text-align:center");
    this.canvas = element(figure, "canvas", "width:84px;height:84px;image-rendering:pixelated;display:block;margin:auto;background:#000");
    this.canvas.width = this.canvas.height = Number.isInteger(side) ? side : 1;
    element(figure, "figcaption", "font-size:.75em;color:#555").textContent = label;
  }

  show(pixels: ArrayLike<number>): void {
    if (!Number.isInteger(this.side)) return;
    const ctx = this.canvas.getContext("2d")!, image = ctx.createImageData(this.side, this.side);
    for (let i = 0; i < this.side * this.side; i++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, pixels[i])));
      image.data.set([v, v, v, 255], 4 * i);
    }
    ctx.putImageData(image, 0, 0);
  }
}

const states: PanelState[] = [];
(globalThis as { __surfPanel?: PanelState[] }).__surfPanel = states;

for (const root of Array.from(document.querySelectorAll<HTMLElement>("[data-surf-panel]"))) {
  const state: PanelState = { state: "loading", backend: kernels.backend, clicks: 0, xStar: [0, 0], xInit: null, surf: idle(), adam: idle() };
  states.push(state);
  root.dataset.state = state.state;
  try {
    new Panel(root, readData(root), state);
  } catch (e) {
    fail(root, state, e);
  }
}
