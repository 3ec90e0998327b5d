// The progress bar's ETA: measured from the first update, so that work a resumed run skips is not taken for speed.
import { expect } from "chai";
import { formatSeconds, progressBar } from "../../src/cli/progress.js";

function recorder(isTTY: boolean) {
  const lines: string[] = [];
  return { lines, stream: { isTTY, write: (s: string) => (lines.push(s), true) } };
}

describe("progress bar", () => {
  it("a resumed run's ETA comes from the work done since its first update, not from what it skipped", () => {
    let t = 0;
    const { lines, stream } = recorder(false);
    const bar = progressBar("table1", stream, () => t);
    bar.update(500, 1000);            // half was stored: it arrives at once
    t = 10_000;
    bar.update(600, 1000);            // a tenth more in 10 s: 40 s to go (from the start it would read 6.7 s)
    t = 20_000;
    bar.update(700, 1000);
    expect(lines).to.deep.equal([
      "table1  60% 600/1000  10s elapsed, ETA 40s\n",
      "table1  70% 700/1000  20s elapsed, ETA 30s\n",
    ]);
  });

  it("gives the rate in the work's unit, and a fraction of work without a unit as a percentage alone", () => {
    let t = 0;
    const units = recorder(false), fractions = recorder(false);
    const steps = progressBar("train", units.stream, () => t), cells = progressBar("reproduce", fractions.stream, () => t);
    steps.update(0, 4000, "", "steps");
    cells.fraction(0);
    t = 20_000;
    steps.update(800, 4000, "step 800", "steps");
    cells.fraction(0.5123, "table1/gan/k5: surf");
    expect(units.lines.at(-1)).to.equal("train  20% 800/4000 steps  20s elapsed, 40.0 steps/s, ETA 1m20s  step 800\n");
    expect(fractions.lines.at(-1)).to.equal("reproduce  51%  20s elapsed, ETA 19s  table1/gan/k5: surf\n");
  });

  it("shows no ETA until the rate is steady: 3 s and 1 % of the work since the first update", () => {
    let t = 0;
    const tty = recorder(true), bar = progressBar("demo", tty.stream, () => t);
    bar.fraction(0);
    t = 500;
    bar.fraction(0.002);    // a tiny early step: its rate would promise hours, or seconds
    t = 2000;
    bar.fraction(0.05);     // under 3 s
    t = 4000;
    bar.fraction(0.1);
    // eslint-disable-next-line no-control-regex -- the terminal's escape sequences are what it reads past
    expect(tty.lines.map((l) => /ETA ([^\s\x1b]+)/.exec(l)![1])).to.deep.equal(["?", "?", "?", "36s"]);
  });

  it("prints a line per tenth off a terminal, draws in place on one, and has no ETA before the rate is known", () => {
    let t = 0;
    const plain = recorder(false), tty = recorder(true);
    const bars = [progressBar("x", plain.stream, () => t), progressBar("x", tty.stream, () => t)];
    for (const [i, done] of [0, 30, 31, 32, 50, 100].entries()) {
      t = 3000 * (i + 1);
      for (const bar of bars) bar.update(done, 100, "note");
    }
    for (const bar of bars) bar.done();
    expect(plain.lines).to.have.length(4);   // 0 %, 30 %, 50 %, 100 %
    expect(plain.lines[0]).to.equal("x   0% 0/100  3.0s elapsed, ETA ?  note\n");
    expect(plain.lines[3]).to.equal("x 100% 100/100  18s elapsed, ETA 0.0s  note\n");
    expect(tty.lines).to.have.length(7);
    // eslint-disable-next-line no-control-regex -- the line ends with the terminal's erase-line sequence
    expect(tty.lines[4]).to.match(/^\r\[#{12}\.{12}\] x {2}50% 50\/100 {2}15s elapsed, ETA \S+ {2}note\x1b\[K$/);
    expect(tty.lines[6]).to.equal("\r\x1b[K");
  });

  it("formats seconds, minutes and hours", () => {
    expect([4.26, 42.4, 61, 3599, 3600 * 5 + 60 * 7, NaN].map(formatSeconds)).to.deep.equal(["4.3s", "42s", "1m01s", "59m59s", "5h07m", "?"]);
    // rounded in the unit shown: no "60s", "34m60s" or "0h60m"
    expect([9.96, 59.6, 2099.6, 3599.6, 7199.9].map(formatSeconds)).to.deep.equal(["10s", "1m00s", "35m00s", "1h00m", "2h00m"]);
  });
});
