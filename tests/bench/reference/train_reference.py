#!/usr/bin/python3
"""The tutorial's network (or the `small` template) trained the way a PyTorch user would write it:
ImageFolder + DataLoader.

A reference for Classifier Studio's trainer (correctness: validation accuracy within 2 points;
speed: images/s side by side). Same network (Keras layers, 'valid' padding, Glorot-uniform
kernels, zero biases), same optimizer (Adam, Keras epsilon, Keras `decay` per iteration), same
data and augmentation. Prints one JSON line per epoch and a final JSON summary line.

    python3 train_reference.py --data DIR [--epochs 2] [--batch-size 20] [--image-size 64]
        [--num-workers 0] [--augment] [--learning-rate 1e-3] [--decay 1e-3] [--seed 1]
        [--threads N] [--network seed|small] [--grayscale]
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def tutorial_network(channels, size, classes):
    """The seed tutorial's CNN(): conv pairs of 12, 25, 50, 100 filters (2x2, valid), pools."""
    layers = []
    in_ch = channels
    for filters in (12, 25, 50, 100):
        layers += [nn.Conv2d(in_ch, filters, 2), nn.ReLU(),
                   nn.Conv2d(filters, filters, 2), nn.ReLU(), nn.MaxPool2d(2)]
        in_ch = filters
        size = (size - 2) // 2
    layers += [nn.Flatten(), nn.Linear(in_ch * size * size, 750), nn.ReLU(),
               nn.Linear(750, 250), nn.ReLU(), nn.Linear(250, classes)]
    model = nn.Sequential(*layers)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def small_network(channels, classes):
    """Classifier Studio's `small` template: three Conv(3x3, same, no bias)-BatchNorm-ReLU-MaxPool
    blocks of 16, 32 and 128 filters, global average pooling, Dense 128 ReLU, Dropout 0.3, output.
    BatchNorm as a PyTorch user writes it (torch's momentum 0.1): with Keras's 0.99 the running
    statistics of a short run stay near their start and the model answers one class."""
    layers = []
    in_ch = channels
    for filters in (16, 32, 128):
        layers += [nn.Conv2d(in_ch, filters, 3, padding=1, bias=False),
                   nn.BatchNorm2d(filters, eps=1e-3), nn.ReLU(), nn.MaxPool2d(2)]
        in_ch = filters
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(in_ch, 128), nn.ReLU(),
               nn.Dropout(0.3), nn.Linear(128, classes)]
    model = nn.Sequential(*layers)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return model


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=20)
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--num-workers", type=int, default=0)
    p.add_argument("--augment", action="store_true")
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--decay", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--network", choices=["seed", "small"], default="seed")
    p.add_argument("--grayscale", action="store_true", help="one channel instead of three")
    p.add_argument("--threads", type=int, default=0,
                   help="torch threads (0: torch's default, one on Debian's build)")
    p.add_argument("--bf16", action="store_true",
                   help="forward pass under CPU autocast in bfloat16, the loss in float32")
    p.add_argument("--max-batches", type=int, default=0, help="stop each epoch early (benchmarks)")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    size = args.image_size
    channels = 1 if args.grayscale else 3
    base = [transforms.Grayscale(channels), transforms.Resize((size, size))]
    augment = [transforms.RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1)),
               transforms.RandomHorizontalFlip()] if args.augment else []
    train_tf = transforms.Compose(base + augment + [transforms.ToTensor()])
    eval_tf = transforms.Compose(base + [transforms.ToTensor()])
    train = datasets.ImageFolder(f"{args.data}/train", transform=train_tf)
    val = datasets.ImageFolder(f"{args.data}/validation", transform=eval_tf)
    train_loader = DataLoader(train, batch_size=args.batch_size, shuffle=True,
                              num_workers=args.num_workers)
    val_loader = DataLoader(val, batch_size=args.batch_size, shuffle=False,
                            num_workers=args.num_workers)

    if args.network == "small":
        model = small_network(channels, len(train.classes))
    else:
        model = tutorial_network(channels, size, len(train.classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate, eps=1e-7)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda it: 1.0 / (1.0 + args.decay * it))

    history = []
    total_images, total_seconds = 0, 0.0
    for epoch in range(args.epochs):
        model.train()
        start = time.perf_counter()
        seen, loss_sum, correct = 0, 0.0, 0
        for i, (x, y) in enumerate(train_loader):
            if args.max_batches and i >= args.max_batches:
                break
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                logits = model(x)
            logits = logits.float()
            loss = F.cross_entropy(logits, y)
            loss.backward()
            optimizer.step()
            schedule.step()
            seen += len(y)
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
        train_seconds = time.perf_counter() - start
        model.eval()
        vseen, vloss, vcorrect = 0, 0.0, 0
        with torch.no_grad():
            for x, y in val_loader:
                logits = model(x)
                vloss += F.cross_entropy(logits, y, reduction="sum").item()
                vcorrect += (logits.argmax(1) == y).sum().item()
                vseen += len(y)
        record = {"event": "epoch", "epoch": epoch + 1, "loss": loss_sum / seen,
                  "accuracy": correct / seen, "val_loss": vloss / vseen,
                  "val_accuracy": vcorrect / vseen, "seconds": train_seconds,
                  "images_per_second": seen / train_seconds}
        history.append(record)
        total_images += seen
        total_seconds += train_seconds
        print(json.dumps(record), flush=True)
    print(json.dumps({"event": "finished", "threads": torch.get_num_threads(),
                      "num_workers": args.num_workers,
                      "images_per_second": total_images / total_seconds,
                      "val_accuracy": history[-1]["val_accuracy"],
                      "peak_rss_mb": peak_rss_mb()}), flush=True)


if __name__ == "__main__":
    main()
