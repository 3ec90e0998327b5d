// Small dense helpers and the log–log fit the checks judge trends with.
import { expect } from "chai";
import { matmul, matmulTN, orthonormalColumns, spectralNorm } from "../../src/theory/matrix.js";
import { norm } from "../../src/tensor/vector.js";
import { fitLine, fitLogLog } from "../../src/theory/fit.js";
import { InputError } from "../../src/errors.js";
import { Rng } from "../../src/random/rng.js";

describe("theory: matrices and fits", () => {
  it("products and the spectral norm against hand values", () => {
    expect(Array.from(matmul(Float64Array.from([1, 2, 3, 4]), Float64Array.from([5, 6, 7, 8]), 2, 2, 2))).to.deep.equal([19, 22, 43, 50]);
    expect(Array.from(matmulTN(Float64Array.from([1, 2, 3, 4]), Float64Array.from([5, 6, 7, 8]), 2, 2, 2))).to.deep.equal([26, 30, 38, 44]);
    expect(spectralNorm(Float64Array.from([3, 0, 0, -4, 0, 0]), 3, 2)).to.be.closeTo(4, 1e-14);
    // ‖[[1, 2], [3, 4]]‖² is the larger root of λ² − 30λ + 4 = 0.
    expect(spectralNorm(Float64Array.from([1, 2, 3, 4]), 2, 2)).to.be.closeTo(Math.sqrt(15 + Math.sqrt(221)), 1e-13);
  });

  it("orthonormalColumns spans the columns and drops dependent ones", () => {
    const rng = Rng.derive("qr");
    const B = new Float64Array(6 * 3);
    rng.fillNormal(B);
    for (let i = 0; i < 6; i++) B[i * 3 + 2] = 2 * B[i * 3] - B[i * 3 + 1];   // third column dependent
    const { Q, rank } = orthonormalColumns(B, 6, 3);
    expect(rank).to.equal(2);
    const QtQ = matmulTN(Q, Q, 6, 2, 2);
    expect(QtQ[0]).to.be.closeTo(1, 1e-14);
    expect(QtQ[1]).to.be.closeTo(0, 1e-14);
    expect(QtQ[3]).to.be.closeTo(1, 1e-14);
    // Each column of B minus its projection on span Q is zero.
    for (let j = 0; j < 3; j++) {
      const b = Float64Array.from({ length: 6 }, (_, i) => B[i * 3 + j]);
      const c = matmulTN(Q, b, 6, 2, 1), back = matmul(Q, c, 6, 2, 1);
      expect(norm(b.map((v, i) => v - back[i]))).to.be.below(1e-13 * norm(b));
    }
  });

  it("fits a power law's exponent exactly, with a standard error that reflects the scatter", () => {
    const x = [2, 4, 8, 16, 32];
    const exact = fitLogLog(x, x.map((v) => 3 * v ** -0.5));
    expect(exact.slope).to.be.closeTo(-0.5, 1e-12);
    expect(exact.intercept).to.be.closeTo(Math.log(3), 1e-12);
    expect(exact.slopeError).to.be.below(1e-12);
    const noisy = fitLogLog(x, x.map((v, i) => v ** 0.3 * (i % 2 ? 1.2 : 0.8)));
    expect(noisy.slope).to.be.closeTo(0.3, 0.2);
    expect(noisy.slopeError).to.be.above(0.01);
    expect(fitLine([0, 1], [1, 3]).slopeError).to.be.NaN;
  });

  it("refuses what it cannot fit, naming it", () => {
    expect(() => fitLogLog([1, 2], [1, 0])).to.throw(InputError, /y\[1\] = 0 is not positive/);
    expect(() => fitLine([1], [1])).to.throw(InputError, /at least two/);
    expect(() => fitLine([1, 1], [1, 2])).to.throw(InputError, /all x are equal/);
    expect(() => fitLine([1, NaN], [1, 2])).to.throw(InputError, /x\[1\] is NaN/);
  });
});
