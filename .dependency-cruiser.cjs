/**
 * The import rules of docs/ARCHITECTURE.md, checked by dependency-cruiser in `npm test`
 * (test/architecture.test.ts). The layering is the table MAY_IMPORT below — the document's module table
 * says the same, and the test checks that the two agree. Change the rule here and the table there together.
 *
 * Known exceptions are listed where they are, with why; a new one fails the test.
 */

/**
 * For each module of src/ (a directory, or a top-level file), the other modules it may import. Listed
 * from the bottom up; a module may import only modules listed before it, so imports run one way.
 */
const MAY_IMPORT = {
  "errors.ts": [],
  random: [],
  "io.ts": ["errors.ts"],
  "form.ts": [],
  kernels: ["random", "errors.ts"],
  tensor: ["kernels", "errors.ts"],
  report: ["errors.ts"],
  "store.ts": ["form.ts", "io.ts", "errors.ts"],
  "lock.ts": ["io.ts", "errors.ts"],
  nn: ["kernels", "tensor", "random", "io.ts", "errors.ts"],
  data: ["kernels", "tensor", "random", "io.ts", "errors.ts"],
  objective: ["nn", "kernels", "tensor", "random", "errors.ts"],
  optim: ["objective", "nn", "kernels", "tensor", "errors.ts"],
  geometry: ["objective", "nn", "tensor", "random", "errors.ts"],
  surf: ["geometry", "optim", "objective", "nn", "kernels", "tensor", "random", "errors.ts"],
  train: ["data", "optim", "objective", "nn", "kernels", "tensor", "random", "report", "lock.ts", "io.ts", "errors.ts"],
  quality: ["train", "data", "geometry", "optim", "nn", "kernels", "tensor", "random", "io.ts", "errors.ts"],
  landscape: ["surf", "geometry", "optim", "objective", "nn", "kernels", "tensor", "random", "report", "store.ts", "form.ts", "io.ts", "errors.ts"],
  theory: ["surf", "geometry", "optim", "objective", "nn", "kernels", "tensor", "random", "report", "store.ts", "form.ts", "errors.ts"],
  panel: ["landscape", "surf", "train", "nn", "kernels", "tensor", "random", "report", "errors.ts"],
  experiments: ["panel", "quality", "train", "data", "surf", "geometry", "optim", "objective", "nn", "kernels", "tensor", "random", "report", "store.ts", "form.ts", "lock.ts", "io.ts", "errors.ts"],
  "index.ts": ["surf", "geometry", "optim", "objective", "nn", "kernels", "tensor", "random", "errors.ts"],
  "node.ts": ["train", "data", "nn", "store.ts"],
  cli: ["experiments", "panel", "theory", "landscape", "quality", "train", "data", "surf", "geometry", "optim", "objective", "nn", "kernels", "tensor", "random", "report", "store.ts", "form.ts", "lock.ts", "io.ts", "errors.ts"],
};

/** A path regex for a module of MAY_IMPORT. */
const modulePath = (m) => (m.endsWith(".ts") ? `^src/${m.replace(".", "\\.")}$` : `^src/${m}/`);

/**
 * The one import cycle: Program (src/nn/program.ts) and its compiled steps (src/nn/ops/) name the type of
 * the Network that compiles them, and Network creates Programs. The loop is closed only by `import type`
 * (erased at run time). Breaking it would mean giving Program a type parameter or a second description of
 * Network, for every user of `program.net`; not worth it. So cycles are allowed among exactly these files,
 * only through network.ts and only with a type-only import in them; any other cycle fails.
 */
const KNOWN_CYCLE = "^src/nn/(network|program|ops/(op|activation|affine|batchnorm|conv))\\.ts$";

/**
 * Files outside src/kernels and src/tensor that touch the kernels' heap (`.heap`: alloc, free, typed views
 * of WASM memory) directly, with how many times: none. The rule (docs/ARCHITECTURE.md): only src/kernels and
 * src/tensor see the heap; the rest allocate, view, copy and free through the Kernels methods (alloc,
 * calloc, free, view, f64View, bytes, copy, clear). An access elsewhere fails the test.
 * Checked by test/architecture.test.ts (dependency-cruiser sees imports, not property accesses).
 */
const HEAP_EXCEPTIONS = {};

/**
 * Files outside src/cli whose error messages name a flag (`--shard`), with how many. The rule
 * (docs/ARCHITECTURE.md, src/errors.ts): a library message names the option of the call, in backticks, and
 * the CLI shows it as its flag (src/cli/flags.ts). Two kinds of flag are not ours to map: sbatch's own
 * --array, which two of src/experiments/shard.ts's messages tell a Slurm user to submit, and
 * src/quality/classifier.ts's pointer to the command that remakes a missing file. Exact counts, as above.
 */
const FLAG_MESSAGE_EXCEPTIONS = {
  "src/experiments/shard.ts": 2,
  "src/quality/classifier.ts": 1,
};

module.exports = {
  forbidden: [
    ...Object.entries(MAY_IMPORT).map(([module, allowed]) => ({
      name: `layers: ${module}`,
      comment: `src/${module} may import only ${allowed.length === 0 ? "no other module of src/" : allowed.join(", ")} (docs/ARCHITECTURE.md)`,
      severity: "error",
      from: { path: modulePath(module) },
      to: { path: "^src/", pathNot: [modulePath(module), ...allowed.map(modulePath)] },
    })),
    {
      name: "not-to-cli",
      comment: "the library never imports the command line: src/cli parses flags, calls the library and prints",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "not-to-entry-points",
      comment: "src/index.ts and src/node.ts are what users import; no module of src/ imports them",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/(index|node)\\.ts$" },
    },
    {
      name: "not-to-tests",
      comment: "src/ never imports test/ or bench/",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|bench)/" },
    },
    {
      name: "not-to-dev-dependencies",
      comment: "src/ is what the package ships: it may not import a devDependency (users do not have them)",
      severity: "error",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"] },
    },
    {
      name: "not-to-unresolvable",
      comment: "every import resolves to a file or package",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "no-circular",
      comment: "imports run one way: no cycle (outside the known one, KNOWN_CYCLE)",
      severity: "error",
      from: { pathNot: KNOWN_CYCLE },
      to: { circular: true },
    },
    {
      name: "no-circular: the known cycle only through network.ts",
      comment: "within KNOWN_CYCLE's files, a cycle must pass through src/nn/network.ts",
      severity: "error",
      from: { path: KNOWN_CYCLE },
      to: { circular: true, viaOnly: { pathNot: "^src/nn/network\\.ts$" } },
    },
    {
      name: "no-circular: none at run time",
      comment: "a cycle must contain an `import type` (erased at run time), so no module sees another half-initialized",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    // src/ as written: `import type` counts (the layering holds for types too); node: built-ins are core modules.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.generated\\.ts$" },
  },
};

// For test/architecture.test.ts: the table and the exceptions above. Not enumerable, so dependency-cruiser's
// configuration schema (which allows no other keys) does not see them.
Object.defineProperty(module.exports, "architecture", { value: { MAY_IMPORT, KNOWN_CYCLE, HEAP_EXCEPTIONS, FLAG_MESSAGE_EXCEPTIONS }, enumerable: false });
