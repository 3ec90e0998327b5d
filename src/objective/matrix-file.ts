/**
 * A user's measurement matrix A (m × n) from file bytes: NumPy's .npy (format 1.0–3.0, a 2-D C-order array of
 * little-endian float32 or float64) or .safetensors (one 2-D tensor, or the one named "A"). Browser-safe:
 * bytes in, a row-major Float64Array out; every check names the file.
 */
import { InputError } from "../errors.js";
import { parseSafetensors, tensorToFloat64 } from "../nn/safetensors.js";
import { MAX_TENSOR_VALUES } from "../nn/network.js";

export interface MatrixFile {
  m: number;
  n: number;
  values: Float64Array;
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];   // "\x93NUMPY"

/**
 * Read a matrix from .npy or .safetensors bytes (told apart by the .npy magic).
 *
 * @example
 * readMatrix(bytes, "A.npy");   // { m, n, values } for a 2-D float32/float64 array
 */
export function readMatrix(bytes: Uint8Array, source: string): MatrixFile {
  const isNpy = bytes.length >= 6 && NPY_MAGIC.every((b, i) => bytes[i] === b);
  return isNpy ? readNpy(bytes, source) : readSafetensorsMatrix(bytes, source);
}

function checked(m: number, n: number, values: Float64Array, source: string): MatrixFile {
  if (!values.every(Number.isFinite)) throw new InputError(`${source}: the matrix has a NaN or infinite entry`);
  return { m, n, values };
}

function readNpy(bytes: Uint8Array, source: string): MatrixFile {
  const fail = (what: string) => new InputError(`${source}: ${what}`);
  if (bytes.length < 10) throw fail("a truncated .npy header");
  const major = bytes[6], view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [headerLength, start] = major === 1 ? [view.getUint16(8, true), 10] : major === 2 || major === 3 ? [view.getUint32(8, true), 12] : [-1, 0];
  if (headerLength < 0) throw fail(`.npy format version ${major} (this reads 1, 2 and 3)`);
  if (start + headerLength > bytes.length) throw fail("the .npy header runs past the end of the file");
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1], fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw fail("not a .npy header (descr, fortran_order and shape are needed)");
  if (descr !== "<f4" && descr !== "<f8") throw fail(`dtype ${descr}: a measurement matrix must be little-endian float32 (<f4) or float64 (<f8)`);
  if (fortran === "True") throw fail("Fortran-order array: save it C-ordered (np.ascontiguousarray)");
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.length !== 2 || !shape.every((d) => Number.isSafeInteger(d) && d >= 1)) throw fail(`shape (${shapeText}): a matrix is 2-D, m × n`);
  const [m, n] = shape, size = descr === "<f4" ? 4 : 8;
  if (m * n > MAX_TENSOR_VALUES) throw fail(`an ${m} × ${n} matrix has more than the ${MAX_TENSOR_VALUES} entries a tensor may have here`);
  const data = start + headerLength;
  if (bytes.length - data !== m * n * size) throw fail(`the data is ${bytes.length - data} bytes, an ${m} × ${n} ${descr} array needs ${m * n * size}`);
  const values = new Float64Array(m * n);
  for (let i = 0; i < m * n; i++) values[i] = size === 4 ? view.getFloat32(data + 4 * i, true) : view.getFloat64(data + 8 * i, true);
  return checked(m, n, values, source);
}

function readSafetensorsMatrix(bytes: Uint8Array, source: string): MatrixFile {
  const file = parseSafetensors(bytes, source);
  const named = file.tensors.get("A"), only = file.tensors.size === 1 ? [...file.tensors.values()][0] : undefined;
  const t = named ?? only;
  if (!t) throw new InputError(`${source}: ${file.tensors.size} tensors and none named "A" (name the measurement matrix "A")`);
  if (t.shape.length !== 2) throw new InputError(`${source}: the matrix has shape [${t.shape}]; a matrix is 2-D, m × n`);
  return checked(t.shape[0], t.shape[1], tensorToFloat64(t, named ? "A" : [...file.tensors.keys()][0], source), source);
}
