"""The PyTorch peer of bench/step.ts (which speaks the same protocol to a baseline build of ours): the same networks (built from our NetworkSpec JSON, loaded with our
weights), the same batch and the same step, timed on request so that the benchmark can interleave our
runs and PyTorch's in one process tree on one machine.

Protocol: one JSON object per line on stdin, one per line on stdout.
  {"op": "setup", "id": s, "kind": "train", "generator": spec, "partner": spec, "weights": path,
   "batch": 64, "latent": k, "lr": 2e-4, "beta1": 0.5, "beta2": 0.999}
  {"op": "setup", "id": s, "kind": "invert", "generator": spec, "weights": path, "batch": 300, "latent": k,
   "lr": 0.01}
      -> {"ok": true, "torch": version}
  {"op": "time", "id": s, "threads": t, "iterations": n, "warmup": w}
      -> {"p50": median wall ms of the iterations, "cpuMs": process CPU ms per iteration (all threads)}
  {"op": "quit"}
`weights` is a file of float32 values, little-endian: every state_dict tensor of the generator (then of the
partner) in state_dict order, num_batches_tracked left out, as our Network.params lists them.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def build(spec):
    layers = []
    for l in spec["layers"]:
        t = l["type"]
        if t == "Linear":
            layers.append(nn.Linear(l["in_features"], l["out_features"], bias=l["bias"]))
        elif t in ("Conv2d", "ConvTranspose2d"):
            cls = nn.Conv2d if t == "Conv2d" else nn.ConvTranspose2d
            layers.append(cls(l["in_channels"], l["out_channels"], l["kernel_size"], stride=l.get("stride", 1),
                              padding=l.get("padding", 0), bias=l["bias"]))
        elif t in ("BatchNorm1d", "BatchNorm2d"):
            cls = nn.BatchNorm1d if t == "BatchNorm1d" else nn.BatchNorm2d
            layers.append(cls(l["num_features"], eps=l.get("eps", 1e-5), momentum=l.get("momentum", 0.1)))
        elif t == "ReLU":
            layers.append(nn.ReLU())
        elif t == "LeakyReLU":
            layers.append(nn.LeakyReLU(l.get("negative_slope", 0.01)))
        elif t == "Sigmoid":
            layers.append(nn.Sigmoid())
        elif t == "Tanh":
            layers.append(nn.Tanh())
        elif t == "Unflatten":
            layers.append(nn.Unflatten(l.get("dim", 1), tuple(l["unflattened_size"])))
        elif t == "Flatten":
            layers.append(nn.Flatten(l.get("start_dim", 1)))
        else:
            raise ValueError(f"layer type {t}")
    return nn.Sequential(*layers)


def load(models, path):
    with open(path, "rb") as f:
        flat = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    at = 0
    with torch.no_grad():
        for model in models:
            for name, t in model.state_dict().items():
                if name.endswith("num_batches_tracked"):
                    continue
                n = t.numel()
                t.copy_(flat[at:at + n].view_as(t))
                at += n
    if at != flat.numel():
        raise ValueError(f"{path}: {flat.numel()} values, the models hold {at}")


class Train:
    """One generator update of the gan procedure (src/train/gan.ts): a discriminator step on a real and a
    fake batch (separately, as ours), then the non-saturating generator step through the discriminator,
    which reuses G(z) of the discriminator step. The discriminator's parameters are frozen during the
    generator's backward, as ours computes no gradient for them there."""

    def __init__(self, m):
        self.G, self.D = build(m["generator"]), build(m["partner"])
        load([self.G, self.D], m["weights"])
        self.G.train()
        self.D.train()
        betas = (m["beta1"], m["beta2"])
        self.optG = torch.optim.Adam(self.G.parameters(), lr=m["lr"], betas=betas)
        self.optD = torch.optim.Adam(self.D.parameters(), lr=m["lr"], betas=betas)
        self.batch, self.latent = m["batch"], m["latent"]
        gen = torch.Generator().manual_seed(0)
        # real images: [0, 1] pixels; their values do not change PyTorch's (dense) arithmetic
        self.reals = [torch.rand(self.batch, 784, generator=gen) for _ in range(8)]
        self.i = 0
        self.ones = torch.ones(self.batch, 1)
        self.zeros = torch.zeros(self.batch, 1)

    def step(self):
        real = self.reals[self.i % len(self.reals)]
        self.i += 1
        z = torch.rand(self.batch, self.latent) * 2 - 1
        self.optD.zero_grad()
        fake = self.G(z)
        d_real = F.binary_cross_entropy_with_logits(self.D(real), self.ones)
        d_real.backward()
        d_fake = F.binary_cross_entropy_with_logits(self.D(fake.detach()), self.zeros)
        d_fake.backward()
        self.optD.step()
        for p in self.D.parameters():
            p.requires_grad_(False)
        self.optG.zero_grad()
        g = F.binary_cross_entropy_with_logits(self.D(fake), self.ones)
        g.backward()
        self.optG.step()
        for p in self.D.parameters():
            p.requires_grad_(True)
        return d_real.item() + d_fake.item(), g.item()


class Invert:
    """One step of `surf invert`'s inner loop on a batch of latents: Adam on x, then f_b = ½‖G(x_b) − y_b‖²
    for every row and ∇ₓ of their sum (the generator in eval mode, its parameters frozen)."""

    def __init__(self, m):
        self.G = build(m["generator"])
        load([self.G], m["weights"])
        self.G.eval()
        for p in self.G.parameters():
            p.requires_grad_(False)
        gen = torch.Generator().manual_seed(0)
        b, k = m["batch"], m["latent"]
        with torch.no_grad():
            self.y = self.G(torch.rand(b, k, generator=gen) * 2 - 1)
        self.x = (torch.rand(b, k, generator=gen) * 2 - 1).requires_grad_()
        self.opt = torch.optim.Adam([self.x], lr=m["lr"])
        self.f = self.evaluate()

    def evaluate(self):
        self.opt.zero_grad()
        f = 0.5 * ((self.G(self.x) - self.y) ** 2).sum(dim=1)
        f.sum().backward()
        return f.detach()

    def step(self):
        self.opt.step()
        self.f = self.evaluate()


def main():
    torch.manual_seed(0)
    tasks = {}
    for line in sys.stdin:
        m = json.loads(line)
        if m["op"] == "quit":
            break
        if m["op"] == "setup":
            tasks[m["id"]] = Train(m) if m["kind"] == "train" else Invert(m)
            reply = {"ok": True, "torch": torch.__version__}
        elif m["op"] == "time":
            torch.set_num_threads(m["threads"])
            task = tasks[m["id"]]
            for _ in range(m["warmup"]):
                task.step()
            ms = []
            cpu = time.process_time()
            for _ in range(m["iterations"]):
                t0 = time.perf_counter()
                task.step()
                ms.append((time.perf_counter() - t0) * 1000)
            reply = {"p50": statistics.median(ms), "cpuMs": (time.process_time() - cpu) * 1000 / m["iterations"]}
        else:
            raise ValueError(f"op {m['op']}")
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
