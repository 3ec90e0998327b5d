import type { ParsedArgs } from "./args.js";
import { selfCheck } from "../kernels/selfcheck.js";
import { progressBar } from "./progress.js";

export async function run(args: ParsedArgs): Promise<number> {
  const bar = progressBar("selfcheck");
  const report = await selfCheck(args.seed, (done, total) => bar.update(done, total));
  bar.done();
  const ok = report.mismatches.length === 0 && report.float32Error < 1e-5;
  if (args.json) {
    process.stdout.write(JSON.stringify({ ...report, pass: ok }, null, 2) + "\n");
    return ok ? 0 : 1;
  }
  const lines = [
    `backend: ${report.backend}${report.simd ? "" : " (this engine has no WebAssembly SIMD)"}`,
    report.simd
      ? `WASM vs TS twin: ${report.compared} products compared, ${report.mismatches.length === 0 ? "all bit-identical" : "MISMATCH in " + report.mismatches.join(", ")}`
      : "WASM vs TS twin: skipped (no WebAssembly SIMD)",
    `float32 vs float64: largest relative error ${report.float32Error.toExponential(2)} (bound 1e-5)`,
    "",
    "gemm speed (float32, single thread, dense uniform random A and B):",
    ...report.speed.map((s) => `  ${s.impl.padEnd(5)} ${s.shape.padEnd(12)} ${s.gflops.toFixed(2).padStart(7)} GFLOP/s`),
    "",
    ok ? "selfcheck passed" : "selfcheck FAILED",
  ];
  process.stdout.write(lines.join("\n") + "\n");
  return ok ? 0 : 1;
}
