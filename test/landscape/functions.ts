// Test landscapes with known geometry, as Loss objects (Freeman & Bruna 2017's Section 3.1 shapes: convex, connected but
// curved, disconnected).
import type { Loss } from "../../src/landscape/loss.js";

/** F(θ) = ½ (θ − c)ᵀ Q (θ − c) with Q = diag(q): convex, every level set convex. */
export function quadratic(q: number[], c: number[]): Loss {
  const d = q.length;
  const value = (t: Float64Array) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += 0.5 * q[i] * (t[i] - c[i]) ** 2;
    return s;
  };
  return {
    dimension: d,
    value,
    valueAndGradient(t, g) {
      for (let i = 0; i < d; i++) g[i] = q[i] * (t[i] - c[i]);
      return value(t);
    },
  };
}

/** F(x) = (‖x‖ − R)² on R²: the level set F ≤ L0 is the annulus R − √L0 ≤ ‖x‖ ≤ R + √L0, connected, not convex. */
export function annulus(R: number): Loss {
  const value = (x: Float64Array) => (Math.hypot(x[0], x[1]) - R) ** 2;
  return {
    dimension: 2,
    value,
    valueAndGradient(x, g) {
      const r = Math.hypot(x[0], x[1]);
      g[0] = (2 * (r - R) * x[0]) / r;
      g[1] = (2 * (r - R) * x[1]) / r;
      return value(x);
    },
    values(points, count) {
      return Float64Array.from({ length: count }, (_, i) => value(points.subarray(2 * i, 2 * i + 2)));
    },
  };
}

/**
 * The shortest path inside the annulus r_in ≤ ‖x‖ between two points at radius ρ ≥ r_in an angle Φ ≤ π apart:
 * the chord when it clears the inner disc, else tangent – arc of the inner circle – tangent.
 */
export function annulusGeodesic(rho: number, rIn: number, phi: number): number {
  if (rho * Math.cos(phi / 2) >= rIn) return 2 * rho * Math.sin(phi / 2);
  return 2 * Math.sqrt(rho * rho - rIn * rIn) + rIn * (phi - 2 * Math.acos(rIn / rho));
}

/** F(x, y) = (x² − 1)² + y²: two wells at (±1, 0) behind a wall F ≥ 1 on x = 0, so F ≤ L0 < 1 has two components. */
export function doubleWell(): Loss {
  const value = (p: Float64Array) => (p[0] * p[0] - 1) ** 2 + p[1] * p[1];
  return {
    dimension: 2,
    value,
    valueAndGradient(p, g) {
      g[0] = 4 * p[0] * (p[0] * p[0] - 1);
      g[1] = 2 * p[1];
      return value(p);
    },
  };
}
