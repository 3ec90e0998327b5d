// Paths that are not regular files, and files that are not what they should be: each refused with exit 2
// and one line, at once (a FIFO or /dev/zero must not block), leaving the file as it was.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectUsageErrors, surf } from "./cli.test.js";
import { CheckpointSequence, writeNetwork } from "../../src/nn/files.js";
import { randomNetwork } from "../../src/nn/ensembles.js";
import { scratchDirectory } from "../helpers.js";

describe("surf and paths that are not regular files", function () {
  this.timeout(120000);
  let dir = "";
  scratchDirectory("files", (d) => (dir = d));

  it("refuses directories, FIFOs, devices, dangling symlinks and loops as networks, targets and journals", () => {
    const net = join(dir, "g.safetensors"), seq = join(dir, "seq"), fifo = join(dir, "pipe"), loop = join(dir, "loop");
    writeNetwork(net, randomNetwork("surf", [2, 8, 6], "files"));
    for (const t of [0, 1]) CheckpointSequence.write(seq, randomNetwork("surf", [2, 8, 6], `files/${t}`), 40 * t);
    execFileSync("mkfifo", [fifo]);
    symlinkSync(loop, loop);
    const withSubdir = join(dir, "with-subdir"), withDangling = join(dir, "with-dangling"), withFifo = join(dir, "with-fifo");
    for (const d of [withSubdir, withDangling, withFifo]) for (const t of [0, 1]) CheckpointSequence.write(d, randomNetwork("surf", [2, 8, 6], `files/${t}`), 40 * t);
    mkdirSync(join(withSubdir, "000000080.safetensors"));
    symlinkSync(join(dir, "nowhere"), join(withDangling, "000000080.safetensors"));
    execFileSync("mkfifo", [join(withFifo, "000000080.safetensors")]);
    const journalDir = join(dir, "journal-dir");
    mkdirSync(journalDir);
    expectUsageErrors([
      [["invert", "--net", fifo, "--method", "adam"], /pipe: a FIFO \(named pipe\), not a \.safetensors network/],
      [["invert", "--net", "/dev/zero", "--method", "adam"], /\/dev\/zero: a device, not a \.safetensors network/],
      [["invert", "--net", loop, "--method", "adam"], /loop: a symlink loop/],
      [["invert", "--net", join(dir, "nowhere")], /nowhere: no such file or directory/],
      [["invert", "--net", withSubdir], /000000080\.safetensors: a directory, not a \.safetensors network/],
      [["invert", "--net", withDangling], /000000080\.safetensors: a symlink to nothing/],
      [["invert", "--net", withFifo], /000000080\.safetensors: a FIFO \(named pipe\), not a \.safetensors network/],
      [["info", withSubdir], /a directory, not a \.safetensors network/],
      [["invert", "--net", net, "--method", "adam", "--target", fifo], /pipe: a FIFO \(named pipe\), not a JSON target/],
      [["invert", "--net", net, "--method", "adam", "--target", "/dev/zero"], /\/dev\/zero: a device, not a JSON target/],
      [["invert", "--net", net, "--method", "adam", "--journal", journalDir], /--journal .*journal-dir: a directory, not a file/],
      [["invert", "--net", net, "--method", "adam", "--journal", fifo], /--journal .*pipe: a FIFO \(named pipe\), not a file/],
      [["invert", "--net", join(dir, "a\nb\u001b[2J.safetensors"), "--method", "adam"], /a\\nb\\u001b\[2J\.safetensors: no such file or directory/],
    ]);
  });

  it("refuses outputs that cannot be written — empty, a directory for a file, a file for a directory, under a file — before any work, leaving nothing", () => {
    const file = join(dir, "a-file"), net = join(dir, "g.safetensors"), shard = join(dir, "not-a-shard");
    writeFileSync(file, "x");
    mkdirSync(shard);
    const before = readdirSync(dir).sort();
    expectUsageErrors([
      [["net", "random", "--arch", "2,3,4", "--out", dir], /--out .*: a directory, not a file/],
      [["net", "random", "--arch", "2,3,4", "--out", join(file, "x.safetensors")], /a-file is a file, so nothing can be made under it/],
      [["net", "random", "--arch", "2,3,4", "--out", ""], /--out must name a file/],
      [["train", "--model", "gan", "--out", file], /--out .*a-file: a file, not a directory/],
      [["train", "--model", "gan", "--out", join(file, "sub", "deeper")], /a-file is a file, so nothing can be made under it/],
      [["verify", "--quick", "--out", file], /a file, not a directory/],
      [["reproduce", "table1", "--quick", "--out", file], /a file, not a directory/],
      [["reproduce", "table1", "--quick", "--out", join(dir, "new"), "--checkpoints", file], /--checkpoints .*a file, not a directory/],
      [["landscape", "dss", "--task", "cubic", "--out", join(file, "x")], /a-file is a file/],
      [["demo", "--out", file], /a file, not a directory/],
      [["fid", "--train-classifier", "--out", file], /a file, not a directory/],
      [["merge", "--sweep", "table1", "--out", join(dir, "merged"), join(dir, "nonexistent")], /nonexistent: no results\.jsonl\(\.gz\) there/],
      [["merge", "--sweep", "table1", "--out", join(dir, "merged"), shard], /not-a-shard: no results\.jsonl\(\.gz\) there/],
      [["invert", "--net", net, "--method", "adam", "--journal", join(file, "j.jsonl")], /a-file is a file, so nothing can be made under it/],
      [["reproduce", "fig1", "--quick", "--stages", "", "--out", join(dir, "fig1")], /--stages must be numbers separated by commas, got ""/],
      [["reproduce", "fig1", "--quick", "--images", "1,", "--out", join(dir, "fig1")], /--images must be numbers separated by commas/],
    ]);
    expect(readdirSync(dir).sort(), "nothing made, nothing left behind").to.deep.equal(before);
  });

  it("a file output's missing directory is made", () => {
    const r = surf(["net", "random", "--arch", "2,3,4", "--out", join(dir, "made", "here", "x.safetensors")]);
    expect(r.code, r.stderr).to.equal(0);
    expect(readdirSync(join(dir, "made", "here"))).to.deep.equal(["x.safetensors"]);
  });

  it("a journal that is not one is refused before a byte of it changes", () => {
    const net = join(dir, "g.safetensors"), foreign = join(dir, "notes.txt"), network = join(dir, "copy.safetensors");
    writeFileSync(foreign, "my notes, no newline at the end");
    writeFileSync(network, readFileSync(net));
    const before = [readFileSync(foreign), readFileSync(network)];
    expectUsageErrors([
      [["invert", "--net", net, "--method", "adam", "--journal", foreign], /notes\.txt: not a results file \(no whole JSON record in it\)/],
      [["invert", "--net", net, "--method", "adam", "--journal", network], /copy\.safetensors(:1)?: not a (JSON record|results file)/],
    ]);
    expect(readFileSync(foreign).equals(before[0]), "the text file is untouched").to.equal(true);
    expect(readFileSync(network).equals(before[1]), "the network file is untouched").to.equal(true);
  });
});
