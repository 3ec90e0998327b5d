// Library messages name options in backticks; `surf` shows each as the flag of the running command, and
// leaves alone a name that is no flag of it.
import { expect } from "chai";
import { COMMANDS } from "../../src/cli/commands.js";
import { flagOf, withFlags } from "../../src/cli/flags.js";

const spec = (name: string) => COMMANDS.find((c) => c.spec.name === name)!.spec;

describe("library options as flags (src/cli/flags.ts)", () => {
  it("writes each option of the command as its flag, renamed ones included, and common flags too", () => {
    expect(withFlags("use a smaller box (`box`), or raise the limit (`maxRegions`); more than maxRegions = 5", spec("regions")))
      .to.equal("use a smaller box (--box), or raise the limit (--max-regions); more than maxRegions = 5");
    expect(withFlags("`criticWidth` must be a positive number; `steps` (10) must be a multiple of `every` (3)", spec("train")))
      .to.equal("--critic-width must be a positive number; --steps (10) must be a multiple of --every (3)");
    expect(withFlags("`measurement` subsample:M needs 1 ≤ M ≤ n = 64, got 65", spec("invert"))).to.equal("--measure subsample:M needs 1 ≤ M ≤ n = 64, got 65");
    expect(withFlags("`seed` \"8\" differs", spec("train"))).to.equal("--seed \"8\" differs");
  });

  it("leaves a name that is no flag of the command, and text without backticks, as it is", () => {
    expect(withFlags("`maxRegions` must be a positive integer", spec("train"))).to.equal("`maxRegions` must be a positive integer");
    expect(withFlags("`not an option` and `a-b`", spec("regions"))).to.equal("`not an option` and `a-b`");
    expect(withFlags("box and maxRegions", spec("regions"))).to.equal("box and maxRegions");
    expect(flagOf("criticSteps")).to.equal("critic-steps");
  });
});
