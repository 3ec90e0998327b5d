/**
 * The natural logarithm with the same bits in every JavaScript engine. Math.log is not: ECMAScript
 * does not require it to be correctly rounded, and Node 20's V8 and Deno 2's V8 disagree in the last bit
 * for about half of all inputs (measured). This is fdlibm's __ieee754_log (Sun Microsystems, 1993,
 * < 1 ulp), which uses only +, −, ×, ÷ and exponent bits — operations IEEE 754 and JavaScript define
 * exactly — so the seeded draws that use it are identical under Node, Deno and browsers.
 */

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const TWO54 = 1.80143985094819840000e16;
const LG1 = 6.666666666666735130e-1, LG2 = 3.999999999940941908e-1, LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1, LG5 = 1.818357216161805012e-1, LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

const word = new Float64Array(1);
const halves = new Int32Array(word.buffer);
// Which 32-bit half holds the sign and exponent on this host.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

export function log(x: number): number {
  word[0] = x;
  let hx = halves[HI];
  const lx = halves[1 - HI];
  let k = 0;
  if (hx < 0x00100000) {                      // x < 2^-1022: zero, negative, or subnormal
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    word[0] = x * TWO54;
    hx = halves[HI];
  }
  if (hx >= 0x7ff00000) return x + x;         // Inf or NaN
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i0 = (hx + 0x95f64) & 0x100000;
  halves[HI] = hx | (i0 ^ 0x3ff00000);        // normalize to [√2/2, √2)
  k += i0 >> 20;
  const f = word[0] - 1;
  if ((0x000fffff & (2 + hx)) < 3) {          // −2^-20 ≤ f < 2^-20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const R = f * f * (0.5 - 0.3333333333333333 * f);
    return k === 0 ? f - R : k * LN2_HI - (R - k * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  let i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : k * LN2_HI - (hfsq - (s * (hfsq + R) + k * LN2_LO) - f);
  }
  return k === 0 ? f - s * (f - R) : k * LN2_HI - (s * (f - R) - k * LN2_LO - f);
}
