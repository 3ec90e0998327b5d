// Exact piecewise-linear geometry of ReLU networks: the public surface of src/geometry.
export { checkNet, checkLeastSquares, neuronCount, outputDim, type AffineLayer, type PiecewiseLinearNet, type LeastSquares } from "./affine.js";
export { randomNet, type NetFamily } from "./random-net.js";
export { evaluate, patternString, type Evaluation } from "./pattern.js";
export { regionOf, regionOfPattern, type Polyhedron, type Region, type RegionOptions } from "./region.js";
export { chebyshevCentre, facets, strictInterior, type ChebyshevCentre } from "./lp.js";
export { symmetricEigen } from "./linalg.js";
export { solveQP, kktResiduals, type QuadraticProgram, type QPSolution, type QPOptions, type KKTResiduals, type Hessian } from "./qp.js";
export { project, Projector, MAX_DUAL_STEPS, type ProjectOptions } from "./project.js";
export { objective, regionQuadratic, minimizeOnRegion, type RegionQuadratic, type RegionMinimum } from "./quadratic.js";
export { enumerateRegions, estimateRegionCount, DEFAULT_MAX_REGIONS, PROGRESS_EVERY, type Enumeration, type EnumeratedRegion, type EnumerateOptions, type RegionCountEstimate } from "./enumerate.js";
export { slackSet, pieces, DEFAULT_MAX_PIECES, type Piece } from "./pieces.js";
export { certify, certifyNetwork, type Certificate, type CertifyOptions } from "./certificate.js";
export { fromNetwork, fromObjective, leastSquares, MAX_DENSE_ENTRIES, type Target } from "./from-network.js";
