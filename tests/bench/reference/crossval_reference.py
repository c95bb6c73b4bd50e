#!/usr/bin/python3
"""The `small` template's network under stratified k-fold cross-validation, as a PyTorch user
would write it: a reference for `classifier-cli crossval` on the same class folders.

Greyscale images are shrunk to --image-size with area averaging (as the app does), scaled to
0..1, and trained with Adam (learning rate 1e-3), batch 20, no augmentation, for --epochs; each
fold is scored at its last epoch with BatchNorm in eval mode. --train-count caps the training
images of a fold (the app holds a validation split out of the training folds: 321 of 360 for
450 images). Prints one line per fold and the mean.

    python3 crossval_reference.py --data DIR [--folds 5] [--epochs 15] [--image-size 64]
        [--train-count N] [--bn-momentum 0.1] [--seed 0] [--head gap|flatten]

--head flatten is the template before 2026-12-02 (64 filters in the last block, Flatten,
Dropout, Dense 128, Dropout); gap (the default) is the template now.
"""
import argparse
import os
import random
import subprocess

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_grey(path):
    """One image as a uint8 tensor [H, W], decoded by ImageMagick (Debian's torchvision reads
    no PNG)."""
    width, height = map(int, subprocess.check_output(
        ["identify", "-format", "%w %h", path]).split())
    raw = subprocess.check_output(["convert", path, "-depth", "8", "gray:-"])
    return torch.from_numpy(np.frombuffer(raw, np.uint8).reshape(height, width).copy())


def load(root, size):
    classes = sorted(d for d in os.listdir(root)
                     if not d.startswith(".") and os.path.isdir(os.path.join(root, d)))
    images, labels = [], []
    for label, name in enumerate(classes):
        folder = os.path.join(root, name)
        for file in sorted(os.listdir(folder)):
            image = read_grey(os.path.join(folder, file)).float()[None, None] / 255.0
            images.append(F.interpolate(image, size=(size, size), mode="area")[0])
            labels.append(label)
    return torch.stack(images), torch.tensor(labels), classes


def small_network(classes, momentum, head="gap"):
    """The `small` template: three Conv2D-BatchNormalization-ReLU-MaxPooling blocks (16, 32 and
    128 filters), GlobalAveragePooling2D, Dense 128, Dropout, Dense; or with head "flatten" the
    earlier one (16, 32, 64 filters, Flatten, Dropout, Dense 128, Dropout, Dense). Keras's
    BatchNormalization epsilon."""
    layers, channels = [], 1
    for filters in (16, 32, 128 if head == "gap" else 64):
        layers += [nn.Conv2d(channels, filters, 3, padding=1, bias=False),
                   nn.BatchNorm2d(filters, momentum=momentum, eps=1e-3), nn.ReLU(),
                   nn.MaxPool2d(2)]
        channels = filters
    if head == "gap":
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 128), nn.ReLU(),
                   nn.Dropout(0.3), nn.Linear(128, classes)]
    else:
        layers += [nn.Flatten(), nn.Dropout(0.3), nn.LazyLinear(128), nn.ReLU(), nn.Dropout(0.3),
                   nn.Linear(128, classes)]
    return nn.Sequential(*layers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--train-count", type=int, default=0)
    parser.add_argument("--bn-momentum", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--head", choices=["gap", "flatten"], default="gap")
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    random.seed(args.seed)

    x, y, classes = load(args.data, args.image_size)
    folds = [[] for _ in range(args.folds)]
    for label in range(len(classes)):
        members = [i for i in range(len(y)) if y[i] == label]
        random.shuffle(members)
        for j, i in enumerate(members):
            folds[j % args.folds].append(i)

    scores = []
    for k in range(args.folds):
        test = folds[k]
        train = [i for j in range(args.folds) if j != k for i in folds[j]]
        random.shuffle(train)
        if args.train_count > 0:
            train = train[:args.train_count]
        model = small_network(len(classes), args.bn_momentum, args.head)
        model(x[:2])  # sizes the lazy Dense layer of the flatten head
        optimizer = torch.optim.Adam(model.parameters(), 1e-3, eps=1e-7)
        for _ in range(args.epochs):
            model.train()
            random.shuffle(train)
            for start in range(0, len(train), 20):
                batch = train[start:start + 20]
                optimizer.zero_grad()
                F.cross_entropy(model(x[batch]), y[batch]).backward()
                optimizer.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(x[test]).argmax(1) == y[test]).float().mean().item()
        print(f"fold {k + 1}: accuracy {accuracy:.4f} on {len(test)} held-out images "
              f"({len(train)} trained on)", flush=True)
        scores.append(accuracy)
    mean = sum(scores) / len(scores)
    sd = (sum((s - mean) ** 2 for s in scores) / (len(scores) - 1)) ** 0.5
    print(f"mean {mean:.4f} sd {sd:.4f}")


if __name__ == "__main__":
    main()
