// The demo's report as a person opens it: written by the demo itself at a tiny scale (MLP generators, a few
// trials), opened from a file:// URL in headless Chromium with every network request refused. Its tables, SVG
// figures and sample images render; the panel runs the library's WASM build in the page, and a click sets
// surfing and regular Adam moving. A screenshot of the panel goes to test-output/.
import { expect } from "chai";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demo, type DemoScale } from "../../src/experiments/demo.js";
import type { PanelState } from "../../src/panel/app.js";
import { kernels } from "../helpers.js";
import { browserSuite, openFile, testOutput } from "./chromium.js";

/** Seconds, not minutes: tiny generators and four trials; the panel's generator trained 200 steps (T = 4). */
const TINY: DemoScale = { model: "gan", arch: "mlp", latent: 5, width: 1, hidden: [16, 32], steps: 40, every: 10, trials: 4, maxSteps: 300, samples: 4, panel: { steps: 200, every: 50 } };

describe("the demo's report in headless Chromium", function () {
  this.timeout(180000);
  let dir = "", report = "";
  const chromium = browserSuite({
    // The page runs the WASM build whichever backend wrote the report: once is enough.
    skipWhy: () => (kernels.backend === "js" ? "the page runs the same WASM build under either backend; it runs under SURF_BACKEND=wasm" : undefined),
    setup: async () => {
      dir = mkdtempSync(join(tmpdir(), "surfing-report-"));
      ({ report } = await demo(dir, "7", 1, "test", () => {}, TINY));
    },
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows its tables, SVG figures and decoded sample images from file://, fetching nothing", async () => {
    const page = await openFile(chromium.browser, report);
    const found = await page.evaluate(() => ({
      tables: Array.from(document.querySelectorAll("table"), (t) => ({ rows: t.tBodies[0]?.rows.length ?? 0, text: (t.tBodies[0]?.textContent ?? "").trim().length })),
      figures: Array.from(document.querySelectorAll("figure > svg"), (s) => ({ shapes: s.querySelectorAll("rect, path, polyline, circle, line").length, width: s.getBoundingClientRect().width })),
      images: Array.from(document.querySelectorAll("img"), (i) => ({ complete: i.complete, width: i.naturalWidth, height: i.naturalHeight, alt: i.alt })),
    }));
    expect(found.tables).to.have.length.at.least(1);
    for (const t of found.tables) expect(t.rows * t.text).to.be.above(0);
    expect(found.figures).to.have.length(2);   // distance to the truth: regular Adam, surfing
    for (const f of found.figures) expect(f.shapes * f.width).to.be.above(0);
    expect(found.images).to.have.length(3 * TINY.samples);   // target y, regular Adam, surfing
    for (const i of found.images) expect(i, i.alt).to.include({ complete: true, width: 28, height: 28 });
    expect(page.refused).to.deep.equal([]);
    expect(page.errors).to.deep.equal([]);
    console.log(`      report: ${report} (${Math.round(statSync(report).size / 1024)} KB)`);
    await page.close();
  });

  it("runs surfing and regular Adam in the panel on a click: both paths are drawn to their end and moved from x_init", async () => {
    const page = await openFile(chromium.browser, report);
    const panel = page.locator("[data-surf-panel]");
    await page.locator('[data-surf-panel][data-state="ready"]').waitFor({ timeout: 60000 });
    const canvas = panel.locator("canvas").first();
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    // x* = (1.5, 1.5) in the square [−3, 3]²: a quarter of the way in from the right and from the top
    await page.mouse.click(box.x + 0.75 * box.width, box.y + 0.25 * box.height);
    await page.locator('[data-surf-panel][data-state="done"]').waitFor({ timeout: 120000 });
    const [state] = await page.evaluate(() => (globalThis as unknown as { __surfPanel: PanelState[] }).__surfPanel);
    expect(state).to.include({ state: "done", backend: "wasm", clicks: 1 });
    expect(state.xStar[0]).to.be.closeTo(1.5, 0.05);
    expect(state.xStar[1]).to.be.closeTo(1.5, 0.05);
    const T = 4, maxSteps = 3000;   // the panel's default cap
    expect(state.adam.total).to.equal(state.adam.steps + 1);   // x_init, then a point per step
    expect(state.surf.total).to.equal(state.surf.steps + T + 1);   // and on each network its warm start
    expect(state.adam.steps).to.be.within(1, maxSteps);
    for (const m of [state.surf, state.adam]) {
      expect(m.total).to.be.above(1);
      expect(m.shown).to.equal(m.total);
      const moved = Math.hypot(m.x![0] - state.xInit![0], m.x![1] - state.xInit![1]);
      expect(moved, "distance travelled from x_init").to.be.above(0.1);
      expect(m.success).to.equal(m.distance! < 0.01);
    }
    expect(state.surf.network).to.equal(T);   // surfing ends on θ_T
    const shot = testOutput("report-panel.png");
    await panel.screenshot({ path: shot });
    console.log(`      screenshot: ${shot}`);
    expect(page.refused).to.deep.equal([]);
    expect(page.errors).to.deep.equal([]);
    await page.close();
  });
});
