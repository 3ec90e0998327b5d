/**
 * A self-contained HTML page for a report: inline CSS, images as data URIs, nothing fetched from the
 * network — it opens from a file, a mail attachment or a commit. Text is escaped everywhere; figures are
 * inline SVG made by ./svg.ts and apps' markup comes from src/panel (both inserted as they are, so only
 * pass those). A page has a script only when a section holds an app.
 */
import { escapeXml } from "./svg.js";

export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | boolean | null)[])[];
  readonly caption?: string;
}

export interface Figure {
  /** An <svg> element from ./svg.ts. */
  readonly svg: string;
  readonly caption?: string;
}

export interface Image {
  /** A PNG file (./png.ts), embedded as a data URI. */
  readonly png: Uint8Array;
  /** A line under the image (escaped). */
  readonly caption?: string;
}

/** Images in labelled rows, e.g. targets above their reconstructions, one column per trial. */
export interface ImageGrid {
  readonly rows: readonly { readonly label: string; readonly images: readonly Image[] }[];
  /** Column headings, one per image of a row. */
  readonly columns?: readonly string[];
  readonly caption?: string;
  /** Width of each image on the page in CSS pixels (default 56: a 28 × 28 image twice over). */
  readonly size?: number;
}

/**
 * Something that runs in the page (from src/panel): its markup and the JSON data it reads, side by side in a
 * <div class="app"> (the data first, in a <script type="application/json">), and its module script.
 */
export interface App {
  /** Markup, inserted as it is. */
  readonly markup: string;
  readonly data: unknown;
  /** An ES module without imports; one copy per page however many sections use it. */
  readonly script: string;
}

export interface Section {
  readonly heading: string;
  /** A status badge next to the heading ("pass" is green, "fail" red, anything else grey). */
  readonly badge?: string;
  /** Paragraphs of plain text (escaped). */
  readonly paragraphs?: readonly string[];
  /** Paragraphs after the tables and figures: what a reader needs once they have seen them. */
  readonly notes?: readonly string[];
  /** Term / description pairs, shown as a definition list. */
  readonly facts?: readonly (readonly [string, string])[];
  readonly tables?: readonly Table[];
  readonly figures?: readonly Figure[];
  readonly images?: readonly ImageGrid[];
  readonly app?: App;
  /** An id for links (letters, digits, - and _ only; derived from the heading when omitted). */
  readonly id?: string;
}

export interface Page {
  readonly title: string;
  /** Lines under the title (date, seed, command). */
  readonly subtitle?: readonly string[];
  readonly sections: readonly Section[];
  /** A table of contents linking the sections (default true with more than two sections). */
  readonly contents?: boolean;
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:24px;color:#222;line-height:1.45}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.25em;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#555;margin:0}.badge{display:inline-block;font-size:.75em;padding:1px 8px;border-radius:9px;margin-left:10px;vertical-align:middle;color:#fff;background:#777}
.badge.pass{background:#2e7d32}.badge.fail{background:#c62828}
table{border-collapse:collapse;margin:8px 0 16px;font-size:.9em}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
caption{caption-side:bottom;color:#555;font-size:.85em;padding-top:4px;text-align:left}
figure{margin:12px 0 20px}figcaption{color:#555;font-size:.85em;max-width:760px}svg{max-width:100%;height:auto}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}dt{font-weight:600}dd{margin:0}
nav ul{padding-left:20px;margin:6px 0}
.images{display:grid;gap:2px 6px;align-items:center;overflow-x:auto}.images img{image-rendering:pixelated;display:block;background:#000}
.images .cell{display:block;font-size:.75em;color:#555;text-align:center;font-variant-numeric:tabular-nums}.images .row{font-size:.85em;font-weight:600;padding-right:6px}`;

/** The page as one HTML document. */
export function renderPage(page: Page): string {
  const ids = uniqueIds(page.sections);
  const contents = page.contents ?? page.sections.length > 2;
  const out = [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(page.title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${escapeXml(page.title)}</h1>`,
    ...(page.subtitle ?? []).map((line) => `<p class="sub">${escapeXml(line)}</p>`),
  ];
  if (contents) {
    out.push("<nav><ul>", ...page.sections.map((s, i) => `<li><a href="#${ids[i]}">${escapeXml(s.heading)}</a>${s.badge ? ` <span class="badge ${badgeClass(s.badge)}">${escapeXml(s.badge)}</span>` : ""}</li>`), "</ul></nav>");
  }
  page.sections.forEach((s, i) => out.push(renderSection(s, ids[i])));
  for (const script of new Set(page.sections.flatMap((s) => (s.app ? [s.app.script] : [])))) out.push(`<script type="module">${checkScript(script)}</script>`);
  out.push("</body></html>\n");
  return out.join("\n");
}

function renderSection(s: Section, id: string): string {
  const out = [`<section id="${id}"><h2>${escapeXml(s.heading)}${s.badge ? `<span class="badge ${badgeClass(s.badge)}">${escapeXml(s.badge)}</span>` : ""}</h2>`];
  for (const p of s.paragraphs ?? []) out.push(`<p>${escapeXml(p)}</p>`);
  if (s.facts?.length) out.push(`<dl>${s.facts.map(([t, d]) => `<dt>${escapeXml(t)}</dt><dd>${escapeXml(d)}</dd>`).join("")}</dl>`);
  for (const t of s.tables ?? []) out.push(renderTable(t));
  for (const f of s.figures ?? []) out.push(`<figure>${f.svg}${f.caption ? `<figcaption>${escapeXml(f.caption)}</figcaption>` : ""}</figure>`);
  for (const p of s.notes ?? []) out.push(`<p>${escapeXml(p)}</p>`);
  for (const g of s.images ?? []) out.push(renderImageGrid(g));
  if (s.app) out.push(renderApp(s.app));
  out.push("</section>");
  return out.join("\n");
}

export function renderTable(t: Table): string {
  const cell = (v: string | number | boolean | null) => escapeXml(v === null ? "—" : String(v));
  return `<table>${t.caption ? `<caption>${escapeXml(t.caption)}</caption>` : ""}<thead><tr>${t.columns.map((c) => `<th>${escapeXml(c)}</th>`).join("")}</tr></thead>` +
    `<tbody>${t.rows.map((r) => `<tr>${r.map((v) => (typeof v === "number" ? `<td class="num">${cell(v)}</td>` : `<td>${cell(v)}</td>`)).join("")}</tr>`).join("")}</tbody></table>`;
}

export function renderImageGrid(g: ImageGrid): string {
  const cols = g.columns?.length ?? Math.max(0, ...g.rows.map((r) => r.images.length));
  for (const r of g.rows) if (r.images.length !== cols) throw new RangeError(`image grid: row "${r.label}" has ${r.images.length} images for ${cols} columns`);
  const size = g.size ?? 56;
  if (!(Number.isSafeInteger(size) && size >= 1)) throw new RangeError(`image grid: size must be a positive integer, got ${size}`);
  const cells = [
    ...(g.columns ? ["<span></span>", ...g.columns.map((c) => `<span class="cell">${escapeXml(c)}</span>`)] : []),
    ...g.rows.flatMap((r) => [`<span class="row">${escapeXml(r.label)}</span>`, ...r.images.map((im) => {
      const alt = escapeXml(`${r.label}${im.caption ? `: ${im.caption}` : ""}`);
      return `<span><img src="${pngDataUri(im.png)}" width="${size}" height="${size}" alt="${alt}"/>${im.caption ? `<span class="cell">${escapeXml(im.caption)}</span>` : ""}</span>`;
    })]),
  ];
  return `<figure><div class="images" style="grid-template-columns:max-content repeat(${cols},${size}px)">${cells.join("")}</div>` +
    `${g.caption ? `<figcaption>${escapeXml(g.caption)}</figcaption>` : ""}</figure>`;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG file as a data: URI (base64 only, so nothing in it can end the attribute). */
function pngDataUri(png: Uint8Array): string {
  if (png.length < 8 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) throw new RangeError("image: not a PNG file (make it with src/report/png.ts)");
  let binary = "";
  for (let i = 0; i < png.length; i += 0x8000) binary += String.fromCharCode(...png.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(binary)}`;
}

/** The app in a <div class="app">: first its data, as JSON no "<" of which can end the script element, then its markup. */
function renderApp(app: App): string {
  return `<div class="app"><script type="application/json">${JSON.stringify(app.data).replace(/</g, "\\u003c")}</script>${app.markup}</div>`;
}

/** An inline script ends at the first "</script"; "<!--" would change how the parser reads it. */
function checkScript(script: string): string {
  if (/<\/script|<!--/i.test(script)) throw new RangeError('app: the script contains "</script" or "<!--" and cannot be inlined');
  return script;
}

function badgeClass(badge: string): string {
  return badge === "pass" ? "pass" : badge === "fail" ? "fail" : "other";
}

/** Section ids: the given one, or the heading reduced to [a-z0-9-], made unique. */
function uniqueIds(sections: readonly Section[]): string[] {
  const seen = new Set<string>();
  return sections.map((s, i) => {
    let base = (s.id ?? s.heading).toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || `section-${i + 1}`;
    if (!/^[a-z]/.test(base)) base = `s-${base}`;
    let id = base;
    for (let j = 2; seen.has(id); j++) id = `${base}-${j}`;
    seen.add(id);
    return id;
  });
}
