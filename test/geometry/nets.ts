// Networks shared by the geometry tests.
import type { AffineLayer, PiecewiseLinearNet } from "../../src/geometry/affine.js";

export function layer(outDim: number, inDim: number, W: number[], b: number[], act: AffineLayer["act"] = "relu", slope?: number): AffineLayer {
  return { inDim, outDim, W: Float64Array.from(W), b: Float64Array.from(b), act, slope: slope ?? (act === "linear" ? 1 : 0) };
}

/**
 * The hand-made network G(z) = (σ(z₁), σ(z₂), σ(z₁ + z₂ − 1)) on R². Worked out on paper, in [−2, 2]²:
 * the lines z₁ = 0, z₂ = 0, z₁ + z₂ = 1 meet at (0,0), (1,0), (0,1), all inside the box, so there are
 * 1 + 3 + 3 = 7 regions; patterns (a₁a₂a₃) and areas: 000 (z ≤ 0) 4; 010 3.5 and 011 0.5 (the triangle
 * (0,1), (0,2), (−1,2)); 100 3.5 and 101 0.5; 110 0.5 (the triangle (0,0), (1,0), (0,1)) and 111 3.5.
 * With y = (1, 1, 0): on 111, f = ½[(z₁−1)² + (z₂−1)² + (z₁+z₂−1)²] is minimal at z₁ = z₂ = 2/3 (inside
 * 111) with f = 1/6; on 110 the best is (½, ½) with f = ¼; every region with a₁ = 0 or a₂ = 0 has f ≥ ½.
 * So the global minimum is 1/6, at (2/3, 2/3) only.
 */
export const handMade: PiecewiseLinearNet = {
  k: 2,
  layers: [layer(3, 2, [1, 0, 0, 1, 1, 1], [0, 0, -1]), layer(3, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0], "linear")],
};
