// The package as a user imports it (package.json "exports", by the package's own name): the runtime-neutral
// API, the file-system part, and the browser build with nothing a page cannot load.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

describe("package exports", () => {
  it('"surfing" runs anywhere: networks, objective, surfing and its pool, the geometry', async () => {
    const lib = await import("surfing" as string);
    for (const name of ["Network", "networkFromSafetensors", "Objective", "createOptimizer", "run", "runParallel", "openSequence", "surfProjected", "summarize"]) {
      expect(lib[name], name).to.be.a("function");
    }
    expect(lib.geometry.certify).to.be.a("function");
    expect(lib.kernels.backend).to.be.oneOf(["wasm", "js"]);
  });

  it('"surfing/node" adds files, Fashion-MNIST, training and the results store', async () => {
    const node = await import("surfing/node" as string);
    for (const name of ["readNetwork", "writeNetwork", "CheckpointSequence", "loadFashionMnist", "train", "ResultStore"]) {
      expect(node[name], name).to.be.a("function");
    }
  });

  it('"surfing/browser" is one module with its worker beside it, importing node:* and files only dynamically', () => {
    const path = createRequire(import.meta.url).resolve("surfing/browser");
    for (const file of [path, path.replace(/surfing\.js$/, "worker.js")]) {
      const text = readFileSync(file, "utf8");
      expect(text, file).to.not.match(/\bfrom\s*"node:|\bimport\s*"node:|require\("/);
      expect(text, file).to.not.match(/from\s*"seedrandom"/);
    }
  });
});
