// g(θ) of eq. (4) and ρ_d of Lemma 10 (Hand & Voroninski 2018) against values worked out by hand from the definitions.
import { expect } from "chai";
import { checkAngles, g, rho } from "../../src/theory/angles.js";
import { InputError } from "../../src/errors.js";

describe("theory: the angle contraction g and ρ_d", () => {
  it("g at 0, π/2 and π by hand: g(0) = arccos(π/π) = 0, g(π/2) = arccos(1/π), g(π) = arccos(0) = π/2", () => {
    expect(g(0)).to.equal(0);
    expect(g(Math.PI / 2)).to.be.closeTo(Math.acos(1 / Math.PI), 1e-15);
    expect(g(Math.PI)).to.be.closeTo(Math.PI / 2, 1e-15);
  });

  it("g is increasing and below the identity on (0, π] (the contraction of Section 2.1)", () => {
    let last = -1;
    for (let i = 1; i <= 200; i++) {
      const t = (Math.PI * i) / 200;
      expect(g(t)).to.be.above(last);
      expect(g(t)).to.be.below(t);
      last = g(t);
    }
  });

  it("θ̌_0 = π, θ̌_1 = π/2, θ̌_2 = arccos(1/π)", () => {
    const th = checkAngles(3);
    expect(th[0]).to.equal(Math.PI);
    expect(th[1]).to.be.closeTo(Math.PI / 2, 1e-15);
    expect(th[2]).to.be.closeTo(Math.acos(1 / Math.PI), 1e-15);
  });

  it("ρ_1 = sin(π)/π = 0 and ρ_2 = sin(π)/π · (π − π/2)/π + sin(π/2)/π = 1/π", () => {
    expect(rho(1)).to.be.closeTo(0, 1e-16);
    expect(rho(2)).to.be.closeTo(1 / Math.PI, 1e-16);
  });

  it("ρ_3 by hand: (1/π)·(π − arccos(1/π))/π + sin(arccos(1/π))/π", () => {
    const t2 = Math.acos(1 / Math.PI);
    expect(rho(3)).to.be.closeTo(((1 / Math.PI) * (Math.PI - t2)) / Math.PI + Math.sqrt(1 - 1 / Math.PI ** 2) / Math.PI, 1e-15);
  });

  it("ρ_d = cos θ̌_d: unrolling cos θ̌_{i+1} = ((π − θ̌_i) cos θ̌_i + sin θ̌_i)/π gives ρ_d plus Π(π − θ̌_j)/π · cos π, whose j = 0 factor is 0", () => {
    for (let d = 1; d <= 30; d++) {
      let t = Math.PI;
      for (let i = 0; i < d; i++) t = g(t);
      expect(rho(d), `d = ${d}`).to.be.closeTo(Math.cos(t), 1e-14);
    }
  });

  it("ρ_d increases towards 1", () => {
    for (let d = 2; d <= 60; d++) {
      expect(rho(d)).to.be.above(rho(d - 1));
      expect(rho(d)).to.be.below(1);
    }
    expect(rho(60)).to.be.above(0.98);
  });

  it("refuses angles outside [0, π] and depths below 1", () => {
    expect(() => g(-0.1)).to.throw(InputError, /θ must lie in \[0, π\]/);
    expect(() => g(NaN)).to.throw(InputError);
    expect(() => rho(0)).to.throw(InputError, /depth d must be a positive integer/);
    expect(() => rho(2.5)).to.throw(InputError);
  });
});
