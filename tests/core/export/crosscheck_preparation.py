#!/usr/bin/python3
"""Prepares images with the README's Python reference function and runs a Classifier Studio .pt
on them with Debian's PyTorch; compares the probabilities with ours.

Usage: crosscheck_preparation.py README.md MODEL.pt EXPECTED.f32 IMAGE...
The function is taken from the README's python block that defines prepare(), so the README's
text is what is checked. EXPECTED.f32 holds the class probabilities Classifier Studio computed
for the images, in order. Exits 0 when the largest absolute difference is below 1e-4.
"""
import json
import re
import sys

import numpy as np
import torch


def reference_prepare(readme_path):
    text = open(readme_path, encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    source = next(b for b in blocks if "def prepare(" in b)
    scope = {}
    exec(source, scope)  # noqa: S102 - the README's own example
    return scope["prepare"]


def main() -> int:
    readme, model_path, expected_path, *images = sys.argv[1:]
    extra = {"metadata.json": ""}
    module = torch.jit.load(model_path, map_location="cpu", _extra_files=extra)
    module.eval()
    metadata = json.loads(extra["metadata.json"])
    prepare = reference_prepare(readme)
    batch = np.concatenate([prepare(path, metadata) for path in images])
    expected = np.fromfile(expected_path, dtype=np.float32).reshape(len(images), -1)
    with torch.no_grad():
        ours = module(torch.from_numpy(np.ascontiguousarray(batch))).numpy()
    difference = float(np.abs(ours - expected).max())
    print(f"images={len(images)} input={list(batch.shape)} max_abs_diff={difference:.3g}")
    return 0 if difference < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
