#!/usr/bin/env python3
"""bench_levers: two levers of the performance issue, measured in PyTorch on a model Classifier
Studio trained and exported with the tutorial's network (the `seed` template).

  dense      The Dense layers on oneDNN (mkldnn_linear on oneDNN tensors, conversions included)
             against the BLAS LibTorch calls (addmm, and matmul + add as torch.jit.freeze and
             optimize_for_inference leave them): median milliseconds at batch 1, 20 and 64.
  quantised  The whole network quantised to int8 after training (static post-training
             quantisation, FX graph mode, calibrated on training images) on each quantised
             engine this LibTorch has (QNNPACK and oneDNN; there is no FBGEMM), against the same
             model frozen and optimised in float, as the Predictor and the PyTorch reference run
             it: p50 of one image, images/s at batch 64 (decode excluded) and the test accuracy of
             each. The issue's rule: adopt it only if faster here and at most 0.1 point less
             accurate.
  bf16       Training in bfloat16 (torch.autocast on the CPU, which this machine's AVX-512 BF16
             instructions serve through oneDNN) against float32: median milliseconds of one
             training step (forward, loss, backward, Adam) at the training batch of 20,
             channels-last on both sides.

Usage (from a Release build's machine, 2 threads as the other benchmarks):
  python3 tests/bench/bench_levers.py --model RUN/model.pt --data DIR [--threads 2]
      [--calls 500] [--rounds 5] [--calibration 512]
  DIR is the dataset the model was trained on (DIR/train/CLASS/*.png, DIR/test/CLASS/*.png).
The float and quantised variants run interleaved, round by round; each figure is the median over
rounds with its spread (min-max). Prints a table and one JSON line.
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


class Seed(nn.Module):
    """The tutorial's network as eager PyTorch, with model.pt's weights: four pairs of ReLU
    convolutions, each pair followed by 2x2 max pooling, then Dense layers."""

    def __init__(self, state):
        super().__init__()
        convs = sorted((k for k, v in state.items() if k.endswith("_weight") and v.dim() == 4),
                       key=lambda k: int(k[5:-7]))
        denses = sorted((k for k, v in state.items() if k.endswith("_weight") and v.dim() == 2),
                        key=lambda k: int(k[5:-7]))
        self.convs = nn.ModuleList()
        for k in convs:
            w = state[k]
            conv = nn.Conv2d(w.shape[1], w.shape[0], tuple(w.shape[2:]))
            conv.weight.data.copy_(w)
            conv.bias.data.copy_(state[k.replace("_weight", "_bias")])
            self.convs.append(conv)
        self.denses = nn.ModuleList()
        for k in denses:
            w = state[k]
            dense = nn.Linear(w.shape[1], w.shape[0])
            dense.weight.data.copy_(w)
            dense.bias.data.copy_(state[k.replace("_weight", "_bias")])
            self.denses.append(dense)

    def logits(self, x):
        for i, conv in enumerate(self.convs):
            x = F.relu(conv(x))
            if i % 2 == 1:
                x = F.max_pool2d(x, 2, 2)
        x = torch.flatten(x, 1)
        for i, dense in enumerate(self.denses):
            x = dense(x)
            if i + 1 < len(self.denses):
                x = F.relu(x)
        return x

    def forward(self, x):
        return torch.softmax(self.logits(x), 1)


def median_ms(call, calls):
    for _ in range(max(10, calls // 10)):
        call()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def spread(values, fmt):
    return (fmt % statistics.median(values)) + " (" + (fmt % min(values)) + "-" + (
        fmt % max(values)) + ")"


def dense_lever(model, rounds, calls):
    """The Dense stack alone: BLAS against oneDNN, forward, at batch 1, 20 and 64."""
    weights = [(d.weight.detach(), d.bias.detach()) for d in model.denses]
    mkldnn = [(w.to_mkldnn(), b.to_mkldnn()) for w, b in weights]
    transposed = [(w.t().contiguous(), b) for w, b in weights]
    rows = {}
    for batch in (1, 20, 64):
        x = torch.rand(batch, weights[0][0].shape[1])

        def addmm():
            y = x
            for w, b in weights:
                y = torch.relu(F.linear(y, w, b))
            return y

        def matmul():
            y = x
            for w, b in transposed:
                y = torch.relu(torch.matmul(y, w) + b)
            return y

        def onednn():
            y = x.to_mkldnn()
            for w, b in mkldnn:
                y = torch.relu(torch._C._nn.mkldnn_linear(y, w, b))
            return y.to_dense()

        if (onednn() - addmm()).abs().max().item() > 1e-4:
            raise SystemExit("oneDNN's Dense layers disagree with the BLAS")
        times = {"addmm": [], "matmul": [], "onednn": []}
        with torch.inference_mode():
            for _ in range(rounds):
                times["addmm"].append(median_ms(addmm, calls))
                times["matmul"].append(median_ms(matmul, calls))
                times["onednn"].append(median_ms(onednn, calls))
        rows[batch] = times
    return rows


def bf16_lever(model, rounds, calls):
    """One training step at batch 20 in float32 and under bfloat16 autocast, interleaved."""
    import copy
    channels = model.convs[0].weight.shape[1]
    x = torch.rand(20, channels, 64, 64).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, model.denses[-1].weight.shape[0], (20,))
    sides = {}
    for name in ("float32", "bf16"):
        net = copy.deepcopy(model).train().to(memory_format=torch.channels_last)
        sides[name] = (net, torch.optim.Adam(net.parameters(), 1e-3))

    def step(name):
        net, optimizer = sides[name]
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=name == "bf16"):
            logits = net.logits(x)
        F.cross_entropy(logits.float(), y).backward()
        optimizer.step()

    times = {name: [] for name in sides}
    for _ in range(rounds):
        for name in sides:
            times[name].append(median_ms(lambda: step(name), calls))
    return times


def quantised(model, engine, calibration):
    torch.backends.quantized.engine = engine
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    example = next(iter(calibration))[0]
    prepared = prepare_fx(model, get_default_qconfig_mapping(engine), example_inputs=(example,))
    with torch.inference_mode():
        for x, _ in calibration:
            prepared(x)
    converted = convert_fx(prepared).eval()
    return torch.jit.freeze(torch.jit.trace(converted, example).eval())


def predictions(model, loader):
    """Each test image's predicted class, and the accuracy."""
    predicted = []
    right = 0
    with torch.inference_mode():
        for x, y in loader:
            p = model(x).argmax(1)
            predicted.append(p)
            right += (p == y).sum().item()
    predicted = torch.cat(predicted)
    return predicted, right / len(predicted)


def main():
    # As setUpRuntime() does in our programs: glibc keeps freed activation buffers instead of
    # unmapping them after every batch (without it the float network runs at half its speed).
    # mallopt must act before the first allocation, so the script starts itself again.
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        env = dict(os.environ, MALLOC_MMAP_THRESHOLD_=str(256 << 20),
                   MALLOC_TRIM_THRESHOLD_=str(512 << 20))
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calibration", type=int, default=512)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    scripted = torch.jit.load(args.model).eval()
    model = Seed(scripted.state_dict()).eval()
    channels = model.convs[0].weight.shape[1]
    size = 64
    probe = torch.rand(4, channels, size, size)
    with torch.inference_mode():
        if (model(probe) - scripted(probe)).abs().max().item() > 1e-5:
            raise SystemExit(f"{args.model} is not the tutorial's network (seed template)")
    steps = [transforms.Grayscale(channels), transforms.Resize((size, size)),
             transforms.ToTensor()]
    train = datasets.ImageFolder(args.data + "/train", transform=transforms.Compose(steps))
    test = datasets.ImageFolder(args.data + "/test", transform=transforms.Compose(steps))
    calibration = DataLoader(torch.utils.data.Subset(
        train, torch.randperm(len(train), generator=torch.Generator().manual_seed(1))
        [:args.calibration].tolist()), batch_size=64)
    test_loader = DataLoader(test, batch_size=64)

    results = {"benchmark": "levers", "threads": args.threads}
    print(f"Dense layers of {args.model} ({args.threads} threads, {args.rounds} rounds of "
          f"{args.calls} calls), median ms:")
    for batch, times in dense_lever(model, args.rounds, args.calls).items():
        ratio = [a / o for a, o in zip(times["addmm"], times["onednn"])]
        print(f"  batch {batch:2d}: BLAS addmm {spread(times['addmm'], '%.4f')}, matmul + add "
              f"{spread(times['matmul'], '%.4f')}, oneDNN {spread(times['onednn'], '%.4f')}; "
              f"addmm / oneDNN {spread(ratio, '%.2f')}x")
        results[f"dense_batch{batch}"] = {k: statistics.median(v) for k, v in times.items()}

    steps = bf16_lever(model, args.rounds, max(20, args.calls // 10))
    ratio = [f / b for f, b in zip(steps["float32"], steps["bf16"])]
    print(f"\nOne training step at batch 20 ({args.rounds} rounds), median ms: float32 "
          f"{spread(steps['float32'], '%.2f')}, bf16 autocast {spread(steps['bf16'], '%.2f')}; "
          f"float32 / bf16 {spread(ratio, '%.2f')}x")
    results["training_step_ms"] = {k: statistics.median(v) for k, v in steps.items()}

    variants = {"float (frozen + optimised)":
                torch.jit.optimize_for_inference(torch.jit.freeze(scripted)),
                # The Predictor's batch module before its graph rewrites, fed channels-last.
                "float frozen, channels-last": torch.jit.freeze(torch.jit.load(args.model).eval())}
    for engine in ("qnnpack", "onednn"):
        variants[f"int8 {engine}"] = quantised(model, engine, calibration)
    one = torch.rand(1, channels, size, size)
    batch = torch.rand(64, channels, size, size)
    # Restrided by hand: one channel's contiguous strides already count as channels-last.
    channels_last = torch.empty_strided(batch.shape, (channels * size * size, 1, size * channels,
                                                      channels)).copy_(batch)
    latency = {name: [] for name in variants}
    throughput = {name: [] for name in variants}
    with torch.inference_mode():
        for _ in range(args.rounds):
            for name, net in variants.items():
                torch.backends.quantized.engine = name.split()[-1] if "int8" in name else "qnnpack"
                x = channels_last if "channels-last" in name else batch
                latency[name].append(median_ms(lambda: net(one), args.calls))
                throughput[name].append(64 / median_ms(lambda: net(x), 50) * 1000)
    print(f"\nThe whole network, {size} px, {channels} channel(s), {args.rounds} rounds:")
    print(f"  {'variant':28s} {'one image p50, ms':24s} {'batch 64, images/s':26s} "
          f"test accuracy ({len(test)} images)")
    answers = {}
    for name, net in variants.items():
        torch.backends.quantized.engine = name.split()[-1] if "int8" in name else "qnnpack"
        answers[name], acc = predictions(net, test_loader)
        print(f"  {name:28s} {spread(latency[name], '%.3f'):24s} "
              f"{spread(throughput[name], '%.0f'):26s} {acc:.4f}")
        results[name] = {"p50_ms": statistics.median(latency[name]),
                         "images_per_second": statistics.median(throughput[name]),
                         "accuracy": acc}
    base = "float (frozen + optimised)"
    for name in variants:
        if name == base:
            continue
        faster = [f / q for f, q in zip(latency[base], latency[name])]
        more = [q / f for f, q in zip(throughput[base], throughput[name])]
        same = (answers[name] == answers[base]).float().mean().item()
        print(f"  {name} against float, per round: one image {spread(faster, '%.2f')}x as fast, "
              f"batch 64 {spread(more, '%.2f')}x the images/s, accuracy "
              f"{100 * (results[name]['accuracy'] - results[base]['accuracy']):+.2f} points; "
              f"the same class as float for {100 * same:.2f}% of the test images")
        results[name]["same_class_as_float"] = same
    print(json.dumps(results))


if __name__ == "__main__":
    main()
