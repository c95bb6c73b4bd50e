#!/usr/bin/python3
"""Inference the best way a PyTorch user gets: a reference for Classifier Studio's Predictor.

The model is Classifier Studio's own exported TorchScript file (model.pt), loaded with
torch.jit.load, frozen with torch.jit.freeze and passed through torch.jit.optimize_for_inference.

    python3 infer_reference.py --model M.pt --latency [--calls 500] [--threads 2] [--size 64]
        one image (a random tensor, decode excluded) through the model, --calls times after a
        warm-up; prints {"p50_ms", "p99_ms"}.
    python3 infer_reference.py --model M.pt --folder DIR [--batch 64] [--num-workers 2]
        [--threads 2] [--size 64] [--grayscale]
        every image of an ImageFolder (DIR/CLASS/*.png) through a DataLoader and the model,
        decode included; prints {"images", "seconds", "images_per_second"} timed from the
        ImageFolder's construction to the last batch's probabilities.
"""
import argparse
import json
import time

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def load_optimized(path):
    model = torch.jit.load(path)
    model.eval()
    return torch.jit.optimize_for_inference(torch.jit.freeze(model))


def latency(model, channels, size, calls):
    x = torch.rand(1, channels, size, size)
    times = []
    with torch.inference_mode():
        for _ in range(50):
            model(x)
        for _ in range(calls):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1000.0)
    times.sort()

    def percentile(p):
        return times[min(len(times) - 1, int(p * (len(times) - 1) + 0.5))]

    return {"p50_ms": percentile(0.5), "p99_ms": percentile(0.99), "calls": calls}


def folder(model, root, size, grayscale, batch, workers):
    start = time.perf_counter()
    steps = [transforms.Grayscale(1 if grayscale else 3), transforms.Resize((size, size)),
             transforms.ToTensor()]
    images = datasets.ImageFolder(root, transform=transforms.Compose(steps))
    loader = DataLoader(images, batch_size=batch, shuffle=False, num_workers=workers)
    seen = 0
    with torch.inference_mode():
        for x, _ in loader:
            model(x).argmax(1)
            seen += len(x)
    seconds = time.perf_counter() - start
    return {"images": seen, "seconds": seconds, "images_per_second": seen / seconds,
            "num_workers": workers, "batch": batch}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--latency", action="store_true")
    p.add_argument("--folder")
    p.add_argument("--calls", type=int, default=500)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--grayscale", action="store_true")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--num-workers", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    model = load_optimized(args.model)
    if args.latency:
        result = latency(model, args.channels, args.size, args.calls)
    else:
        result = folder(model, args.folder, args.size, args.grayscale, args.batch,
                        args.num_workers)
    result["threads"] = torch.get_num_threads()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
