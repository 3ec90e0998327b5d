// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) against the repository
// served on loopback, for tests of what runs in a browser. `.ci/run` installs Chromium and sets
// SURF_REQUIRE_BROWSER=1, so there a missing browser fails; elsewhere the tests skip, saying why.
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TYPES: Record<string, string> = { ".js": "text/javascript", ".html": "text/html", ".wasm": "application/wasm", ".json": "application/json", ".map": "application/json" };

/** Why browser tests cannot run here, or undefined when they can. */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const why = `${CHROMIUM} is not installed (apt-get install chromium)`;
  if (process.env.SURF_REQUIRE_BROWSER === "1") throw new Error(`SURF_REQUIRE_BROWSER=1 but ${why}`);
  return why;
}

/** Serve the repository read-only on 127.0.0.1; "/" is an empty page. */
export async function serveRepository(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>surfing test</title>");
      return;
    }
    const file = join(ROOT, path);
    if (!file.startsWith(ROOT) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { server, origin: `http://127.0.0.1:${address.port}` };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A fresh page at the served origin, with page errors turned into test failures. */
export async function openPage(browser: Browser, origin: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(origin + "/");
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

/**
 * A file opened as a person opens a saved report (a file:// URL), with every request for anything but a file
 * refused and recorded in `refused`, and page errors and console errors in `errors`.
 */
export async function openFile(browser: Browser, path: string, viewport = { width: 1100, height: 900 }): Promise<Page & { errors: string[]; refused: string[] }> {
  const page = Object.assign(await browser.newPage({ viewport }), { errors: [] as string[], refused: [] as string[] });
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") page.errors.push(m.text());
  });
  await page.route(() => true, (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
    page.refused.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(path).href);
  return page;
}

export interface BrowserSuite {
  readonly browser: Browser;
  /** The repository served on loopback (with `serve`), else "". */
  readonly origin: string;
}

/**
 * A headless Chromium for the enclosing describe block, launched before its tests (after `setup`) and closed
 * after them, with the repository served when `serve`; or the whole block skipped, saying why: Chromium is
 * not installed (outside CI, where SURF_REQUIRE_BROWSER is unset) or `skipWhy` gives a reason.
 */
export function browserSuite(options: { serve?: boolean; skipWhy?: () => string | undefined; setup?: () => Promise<void> } = {}): BrowserSuite {
  const suite: { browser?: Browser; origin: string; server?: Server } = { origin: "" };
  before(async function () {
    const why = browserUnavailable() ?? options.skipWhy?.();
    if (why) {
      console.log(`      (skipped: ${why})`);
      this.skip();   // skipped, saying why: no Chromium outside CI (CI sets SURF_REQUIRE_BROWSER=1, which makes that a failure), or the suite's own reason
    }
    await options.setup?.();
    if (options.serve) ({ server: suite.server, origin: suite.origin } = await serveRepository());
    suite.browser = await launch();
  });
  after(async () => {
    await suite.browser?.close();
    suite.server?.close();
  });
  return { get browser() { return suite.browser!; }, get origin() { return suite.origin; } };
}

/** test-output/ at the repository's root (gitignored), for screenshots a person can look at. */
export function testOutput(name: string): string {
  mkdirSync(join(ROOT, "test-output"), { recursive: true });
  return join(ROOT, "test-output", name);
}
