#!/usr/bin/python3
"""Loads a Classifier Studio .pt with Debian's PyTorch and compares its output with ours.

Usage: crosscheck_torchscript.py MODEL.pt INPUT.f32 EXPECTED.f32
INPUT.f32 is float32 NCHW images (shape from the model's metadata), EXPECTED.f32 the class
probabilities Classifier Studio computed for them. Exits 0 when the largest absolute difference
is below 1e-5 and the metadata is ours, 1 otherwise; prints what it found.
"""
import json
import sys

import numpy as np
import torch


def main() -> int:
    model_path, input_path, expected_path = sys.argv[1:4]
    extra = {"metadata.json": ""}
    module = torch.jit.load(model_path, map_location="cpu", _extra_files=extra)
    module.eval()
    metadata = json.loads(extra["metadata.json"])
    if metadata.get("format") != "classifier-studio-model":
        print("metadata.json is not ours:", metadata.get("format"))
        return 1
    size = metadata["image_size"]
    channels = metadata["channels"]
    classes = metadata["classes"]
    images = np.fromfile(input_path, dtype=np.float32).reshape(-1, channels, size, size)
    expected = np.fromfile(expected_path, dtype=np.float32).reshape(images.shape[0], len(classes))
    with torch.no_grad():
        ours = module(torch.from_numpy(images)).numpy()
    difference = float(np.abs(ours - expected).max())
    rows_sum_to_one = bool(np.allclose(ours.sum(axis=1), 1.0, atol=1e-5))
    print(f"images={images.shape[0]} classes={len(classes)} max_abs_diff={difference:.3g} "
          f"rows_sum_to_one={rows_sum_to_one}")
    return 0 if difference < 1e-5 and rows_sum_to_one else 1


if __name__ == "__main__":
    sys.exit(main())
