"""Side-by-side peer for bench/geometry.ts: Berzins' edge subdivision (ICML 2023, "Polyhedral complex
extraction from ReLU networks using edge subdivision") on the same networks, timed in this process.

The peer's code is not part of this repository; bench/geometry.ts says where it looks for it and how to
put it there. Usage (bench/geometry.ts runs this itself):

    python3 bench/berzins.py PEER_DIR NETS.json THREADS REPEATS

NETS.json is a list of {"name", "arch": [k, n1, ..., nd], "W": [[...] per layer, row-major], "b": [[...]]}
with float32-representable weights: the hidden layers only, since the peer cuts by every layer's neurons
(the last one's zero set is the surface it was written to extract). One JSON line per network on stdout: its name, the least wall time
of REPEATS runs of skeletal_subdivision on [-1, 1]^k (CPU, float32 as the peer runs it), and the number
of regions of the complex it returns. The count is taken after the timing: every region of the complex
has a vertex, and around a vertex in general position every sign choice of the neurons through it is a
region (the box facets through it keep their inside sign), so the regions are the distinct sign vectors
obtained by setting each neuron's 0 at each vertex to + or -.
"""
import itertools
import json
import sys
import time

import numpy as np


def count_regions(v_sv, k):
    sv = v_sv.numpy()[:, 2 * k:]
    zero = sv == 0
    nzero = zero.sum(1)
    keys = []
    for m in np.unique(nzero):
        rows = sv[nzero == m]
        base = rows > 0
        zidx = np.nonzero(zero[nzero == m])[1].reshape(len(rows), m)
        at = np.arange(len(rows))[:, None]
        for signs in itertools.product((False, True), repeat=int(m)):
            b = base.copy()
            if m > 0:
                b[at, zidx] = np.array(signs)
            keys.append(np.packbits(b, axis=1))
    return len(np.unique(np.concatenate(keys), axis=0))


def main():
    peer_dir, nets_file, threads, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    sys.path.insert(0, peer_dir)
    import torch
    torch.set_num_threads(threads)
    from edge_subdivision import skeletal_subdivision
    from NN import Net

    with open(nets_file) as fh:
        nets = json.load(fh)
    for net in nets:
        f = Net(ks=net["arch"])
        with torch.no_grad():
            for i, fc in enumerate(f.fcs):
                fc.weight.copy_(torch.tensor(net["W"][i], dtype=torch.float32).reshape(fc.weight.shape))
                fc.bias.copy_(torch.tensor(net["b"][i], dtype=torch.float32))
        best = float("inf")
        with torch.no_grad():
            for _ in range(repeats):
                t = time.perf_counter()
                _, _, v_sv = skeletal_subdivision(f, bbox=(-1, 1), device="cpu", verbose=False)
                best = min(best, time.perf_counter() - t)
        print(json.dumps({"name": net["name"], "seconds": best, "regions": count_regions(v_sv, net["arch"][0])}), flush=True)


if __name__ == "__main__":
    main()
