#!/usr/bin/env python3
"""Independent PyTorch reference of the pretext training (docs/METHOD.md section 3), trained on a batch stream
that ecgssl exported (src/training/exportBatchStream.ts): the same windows, transformation draws, labels and order,
so the two implementations differ only in the network code, loss code, initialisation, optimiser and dropout.

Usage:
  str_reference.py train STREAM_DIR [--seed N] [--threads N]   -> JSON: per-epoch held-out accuracy/F1 per head
      [--init-weights DIR --dump-logits FILE.npy]   diagnostic: start from ecgssl's initial weights, dump logits
  str_reference.py count-params --filters 32 64 128 --kernel-sizes 32 16 8 --head-units 128 --heads 7 [--window-samples 2560]

Written from METHOD.md, not from ecgssl's TypeScript. Results on stdout (JSON), progress on stderr.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


def same_pad_1d(x, kernel):
    """TensorFlow 'same' padding for stride 1: kernel-1 zeros in all, the extra one (even kernels) on the right."""
    total = kernel - 1
    left = total // 2
    return F.pad(x, (left, total - left))


class SameConv1d(nn.Module):
    """Stride-1 1-D convolution with TF 'same' padding, Glorot-uniform kernel, zero bias."""

    def __init__(self, in_ch, out_ch, kernel):
        super().__init__()
        self.kernel = kernel
        self.conv = nn.Conv1d(in_ch, out_ch, kernel, stride=1, padding=0, bias=True)
        # Glorot uniform: limit sqrt(6 / (fan_in + fan_out)), fan_in = kernel*in, fan_out = kernel*out (Keras).
        nn.init.xavier_uniform_(self.conv.weight)
        nn.init.zeros_(self.conv.bias)

    def forward(self, x):
        return self.conv(same_pad_1d(x, self.kernel))


def dense(in_units, out_units):
    layer = nn.Linear(in_units, out_units)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class StrNetwork(nn.Module):
    """Three conv blocks (two convs each, LeakyReLU), max-pool after blocks 1-2, global max pool, then parallel
    heads dense -> LeakyReLU -> dropout -> dense -> LeakyReLU -> dropout -> dense 1 (one logit per head)."""

    def __init__(self, filters, kernel_sizes, pool_size, pool_stride, leaky_alpha, head_units, head_dropout, heads):
        super().__init__()
        self.alpha = leaky_alpha
        self.pool_size = pool_size
        self.pool_stride = pool_stride
        convs = []
        in_ch = 1
        for f, k in zip(filters, kernel_sizes):
            convs.append(nn.ModuleList([SameConv1d(in_ch, f, k), SameConv1d(f, f, k)]))
            in_ch = f
        self.blocks = nn.ModuleList(convs)
        self.heads = nn.ModuleList(
            nn.ModuleList([dense(in_ch, head_units), dense(head_units, head_units), dense(head_units, 1)])
            for _ in range(heads)
        )
        self.dropout = nn.Dropout(head_dropout)

    def embed(self, x):
        """x: [batch, samples] -> [batch, filters[-1]]."""
        h = x.unsqueeze(1)
        for b, (c1, c2) in enumerate(self.blocks):
            h = F.leaky_relu(c1(h), self.alpha)
            h = F.leaky_relu(c2(h), self.alpha)
            if b < len(self.blocks) - 1:
                h = F.max_pool1d(h, self.pool_size, self.pool_stride)
        return h.amax(dim=2)

    def forward(self, x, masks=None):
        """masks (diagnostic, --masks): [batch, heads, 2, units] inverted-dropout masks used instead of dropout."""
        e = self.embed(x)
        logits = []
        for t, (d1, d2, d3) in enumerate(self.heads):
            h = F.leaky_relu(d1(e), self.alpha)
            h = h * masks[:, t, 0] if masks is not None else self.dropout(h)
            h = F.leaky_relu(d2(h), self.alpha)
            h = h * masks[:, t, 1] if masks is not None else self.dropout(h)
            logits.append(d3(h))
        return torch.cat(logits, dim=1)

    def kernels(self):
        """Every weight matrix/kernel (not the biases): the L2 term's parameters."""
        return [p for n, p in self.named_parameters() if n.endswith("weight")]


def build_network(meta):
    m = meta["model"]
    return StrNetwork(
        m["filters"], m["kernelSizes"], m["poolSize"], m["poolStride"], m["leakyAlpha"],
        m["headUnits"], m["headDropout"], len(meta["heads"]),
    )


def pretext_loss(logits, labels, weights, l2, kernels):
    """Weighted sum over heads of the mean sigmoid cross-entropy, plus l2 * sum over kernels of sum(W^2) / 2."""
    per_head = F.binary_cross_entropy_with_logits(logits, labels, reduction="none").mean(dim=0)
    loss = (per_head * weights).sum()
    if l2 > 0:
        loss = loss + l2 * 0.5 * sum((k * k).sum() for k in kernels)
    return loss


def staircase_lr(lr0, rate, decay_steps, step):
    return lr0 * rate ** math.floor(step / decay_steps)


def head_metrics(logits, labels):
    """Per head: accuracy and F1 of the positive class at probability threshold 0.5 (logit > 0)."""
    pred = logits > 0
    truth = labels > 0.5
    out = []
    for h in range(labels.shape[1]):
        p, t = pred[:, h], truth[:, h]
        tp = int(np.sum(p & t))
        fp = int(np.sum(p & ~t))
        fn = int(np.sum(~p & t))
        acc = float(np.mean(p == t))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn > 0 else 0.0
        out.append({"accuracy": acc, "f1": f1})
    return out


def predict(net, x, batch_samples):
    net.eval()
    parts = []
    with torch.no_grad():
        for s in range(0, x.shape[0], batch_samples):
            parts.append(net(torch.from_numpy(np.array(x[s : s + batch_samples], dtype=np.float32))).numpy())
    net.train()
    return np.concatenate(parts)


def load_ecgssl_weights(net, weights_dir):
    """Diagnostic (--init-weights): copy ecgssl's initial weights into the network. weights.json lists ecgssl's
    layers ({layer, kernel, bias} .npy files; conv kernels [k, in, out], dense kernels [in, out]) by name; its
    layers without weights (activations, pooling, the heads' task_<t>_dropout_<k> layers) are not listed."""
    with open(os.path.join(weights_dir, "weights.json")) as f:
        layers = json.load(f)
    targets = {}
    for b, pair in enumerate(net.blocks):
        for i, conv in enumerate(pair):
            targets[f"conv_layer_{2 * b + i + 1}"] = (conv.conv, (2, 1, 0))
    for t, (d1, d2, d3) in enumerate(net.heads):
        targets[f"task_{t}_dense_1"] = (d1, (1, 0))
        targets[f"task_{t}_dense_2"] = (d2, (1, 0))
        targets[f"task_{t}_logits"] = (d3, (1, 0))
    with torch.no_grad():
        for entry in layers:
            module, perm = targets.pop(entry["layer"])
            kernel = np.load(os.path.join(weights_dir, entry["kernel"])).transpose(perm)
            module.weight.copy_(torch.from_numpy(np.ascontiguousarray(kernel)))
            module.bias.copy_(torch.from_numpy(np.load(os.path.join(weights_dir, entry["bias"]))))
    if targets:
        raise SystemExit(f"str_reference: --init-weights lacks layers {sorted(targets)}")


def load_epoch(stream_dir, epoch, part):
    x = np.load(os.path.join(stream_dir, f"epoch-{epoch}-{part}-x.npy"), mmap_mode="r")
    y = np.load(os.path.join(stream_dir, f"epoch-{epoch}-{part}-labels.npy"))
    return x, y


def train(stream_dir, seed, log, init_weights=None, dump_logits=None, use_masks=False):
    with open(os.path.join(stream_dir, "meta.json")) as f:
        meta = json.load(f)
    torch.manual_seed(seed)
    net = build_network(meta)
    if init_weights:
        load_ecgssl_weights(net, init_weights)
    opt_cfg = meta["optimizer"]
    opt = torch.optim.Adam(
        net.parameters(), lr=opt_cfg["learningRate"], betas=(opt_cfg["beta1"], opt_cfg["beta2"]), eps=opt_cfg["epsilon"]
    )
    weights = torch.tensor(meta["taskWeights"], dtype=torch.float32)
    kernels = net.kernels()
    step = 0
    history = []
    for epoch in range(meta["epochs"]):
        t0 = time.time()
        x, y = load_epoch(stream_dir, epoch, "train")
        masks = np.load(os.path.join(stream_dir, f"epoch-{epoch}-train-masks.npy"), mmap_mode="r") if use_masks else None
        bounds = meta["trainBatchBounds"][epoch]
        loss_sum = 0.0
        for b in range(len(bounds) - 1):
            lo, hi = bounds[b], bounds[b + 1]
            for g in opt.param_groups:
                g["lr"] = staircase_lr(opt_cfg["learningRate"], opt_cfg["decayRate"], opt_cfg["decaySteps"], step)
            xb = torch.from_numpy(np.array(x[lo:hi], dtype=np.float32))
            yb = torch.from_numpy(y[lo:hi])
            opt.zero_grad()
            mb = torch.from_numpy(np.array(masks[lo:hi], dtype=np.float32)) if use_masks else None
            loss = pretext_loss(net(xb, mb), yb, weights, meta["l2"], kernels)
            loss.backward()
            opt.step()
            step += 1
            loss_sum += float(loss)
        metrics = []
        if meta["heldOutSamples"][epoch] > 0:
            hx, hy = load_epoch(stream_dir, epoch, "heldout")
            logits = predict(net, hx, max(1, bounds[1] - bounds[0]))
            metrics = head_metrics(logits, hy)
            if dump_logits and epoch == meta["epochs"] - 1:
                np.save(dump_logits, logits.astype(np.float32))
        row = {
            "epoch": epoch + 1,
            "step": step,
            "loss": loss_sum / max(1, len(bounds) - 1),
            "heldout": {name: m for name, m in zip(meta["heads"], metrics)},
            "seconds": time.time() - t0,
        }
        history.append(row)
        log(f"pytorch seed {seed} epoch {epoch + 1}/{meta['epochs']}: loss {row['loss']:.4f}, {row['seconds']:.1f} s")
    n_params = sum(p.numel() for p in net.parameters())
    return {"seed": seed, "steps": step, "parameters": n_params, "history": history}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train on an exported batch stream, print per-epoch held-out metrics (JSON)")
    t.add_argument("stream_dir")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--init-weights", help="diagnostic: start from ecgssl's initial weights (folder with weights.json)")
    t.add_argument("--dump-logits", help="write the last epoch's held-out logits [samples, heads] to this .npy")
    t.add_argument("--masks", action="store_true", help="diagnostic: use ecgssl's exported dropout masks")
    c = sub.add_parser("count-params", help="print the parameter count of the network (JSON)")
    c.add_argument("--filters", type=int, nargs=3, default=[32, 64, 128])
    c.add_argument("--kernel-sizes", type=int, nargs=3, default=[32, 16, 8])
    c.add_argument("--head-units", type=int, default=128)
    c.add_argument("--heads", type=int, default=7)
    c.add_argument("--window-samples", type=int, default=2560)
    args = parser.parse_args()
    if args.command == "count-params":
        meta = {
            "model": {"filters": args.filters, "kernelSizes": args.kernel_sizes, "poolSize": 8, "poolStride": 2,
                      "leakyAlpha": 0.2, "headUnits": args.head_units, "headDropout": 0.6},
            "heads": list(range(args.heads)),
        }
        net = build_network(meta)
        with torch.no_grad():
            emb = net.embed(torch.zeros(1, args.window_samples))
        print(json.dumps({"parameters": sum(p.numel() for p in net.parameters()), "embedding": emb.shape[1]}))
        return
    torch.set_num_threads(args.threads)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    result = train(args.stream_dir, args.seed, log, args.init_weights, args.dump_logits, args.masks)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
