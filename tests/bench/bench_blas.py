#!/usr/bin/env python3
"""bench_blas: which BLAS library LibTorch should run on, measured with whole classifier-cli commands.

Debian's LibTorch calls the system's libblas.so.3 for its Dense layers. This benchmark runs the
same commands on each candidate library side by side, without touching the system's choice: each
Debian package is downloaded (apt-get download) and unpacked into --work, and each command is
started with LD_LIBRARY_PATH pointing at one package's folder (classifier-cli --version confirms
which library the process really loaded).

For each network template at its own image size and for 1 and 2 threads it times
  train:   classifier-cli train --data D --template T --epochs 1 --threads N (process start to end,
           decoding and validation included)
  predict: classifier-cli predict --model M --threads N D/test (a folder of PNGs)
The runs are interleaved (every library once per round, in a rotating order), and each row gives
the median seconds with their spread (min-max), the CPU seconds per wall second (more than the
thread count means threads fighting over the cores), and the median of the per-round ratios to
the reference BLAS (below 1: faster).

Run from a Release build:
  python3 tests/bench/bench_blas.py --cli build/release/app/cli/classifier-cli
  [--train 1200] [--test 2000] [--rounds 3] [--templates seed,small,vgg-bn] [--threads 1,2]
  [--work /tmp/bench_blas] [--libraries libblas3,libopenblas0-openmp,...]
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

CANDIDATES = [
    "libblas3",  # the reference BLAS: the baseline
    "libopenblas0-openmp",
    "libopenblas0-pthread",
    "libblis4-openmp",
    "libblis4-pthread",
]
TEMPLATE_SIZES = {"seed": 64, "small": 28, "vgg-bn": 64}


def fail(message):
    print(f"bench_blas: {message}", file=sys.stderr)
    sys.exit(2)


def library_folder(work, package):
    """Unpacks the Debian package into work/libs/PACKAGE once; returns the folder with libblas.so.3."""
    root = os.path.join(work, "libs", package)
    if not os.path.isdir(root):
        debs = os.path.join(work, "debs")
        os.makedirs(debs, exist_ok=True)
        download = subprocess.run(["apt-get", "download", package], cwd=debs,
                                  capture_output=True, text=True)
        found = [f for f in os.listdir(debs) if f.startswith(package + "_") and f.endswith(".deb")]
        if not found:
            fail(f"could not download {package}: {download.stderr.strip()} "
                 "(needs Debian's package archive)")
        os.makedirs(os.path.dirname(root), exist_ok=True)
        shutil.rmtree(root + ".tmp", ignore_errors=True)
        subprocess.run(["dpkg-deb", "-x", os.path.join(debs, found[0]), root + ".tmp"], check=True)
        os.replace(root + ".tmp", root)
    for folder, _, files in os.walk(root):
        if "libblas.so.3" in files:
            return folder
    fail(f"{package} has no libblas.so.3")


def environment(folder):
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = folder
    # No OMP_NUM_THREADS or OPENBLAS_NUM_THREADS: the commands run as a user runs them, with
    # --threads only, so a library that starts threads of its own beside LibTorch's shows it.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "BLIS_NUM_THREADS"):
        env.pop(name, None)
    return env


def loaded_blas(cli, folder):
    out = subprocess.run([cli, "--version"], env=environment(folder), capture_output=True,
                         text=True, check=True).stdout
    line = next((l for l in out.splitlines() if l.startswith("BLAS: ")), "")
    if folder not in line and os.path.realpath(folder) not in line:
        fail(f"classifier-cli did not load the library in {folder}: {line or out}")
    return line[len("BLAS: "):].split(", /")[0]


def timed(command, env):
    """Wall seconds and CPU seconds (user + system) of one whole command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        fail(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()[-600:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def make_dataset(cli, work, train, test):
    data = os.path.join(work, f"fashion-{train}-{test}")
    if not os.path.isdir(data):
        subprocess.run([cli, "example-dataset", "--train", str(train), "--validation",
                        str(max(1, train // 5)), "--test", str(test), data + ".tmp"],
                       check=True, capture_output=True)
        os.replace(data + ".tmp", data)
    return data


def train_command(cli, data, template, threads, out):
    return [cli, "train", "--data", data, "--template", template, "--image-size",
            str(TEMPLATE_SIZES[template]), "--epochs", "1", "--threads", str(threads),
            "--out", out]


def summarize(samples, reference):
    """Median, min, max of the wall times; CPU per wall second; median per-round ratio."""
    walls = [wall for wall, _ in samples]
    ratios = [wall / ref for (wall, _), (ref, _) in zip(samples, reference)]
    return {
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "max_s": max(walls),
        "cpu_per_wall": statistics.median(cpu / wall for wall, cpu in samples),
        "ratio_to_reference": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cli", required=True, help="classifier-cli of a Release build")
    parser.add_argument("--train", type=int, default=1200, help="training images (default 1200)")
    parser.add_argument("--test", type=int, default=2000, help="images predicted (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--templates", default="seed,small,vgg-bn")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--libraries", default=",".join(CANDIDATES),
                        help="Debian packages; the first is the baseline")
    parser.add_argument("--work", default="/tmp/bench_blas")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    cli = os.path.abspath(args.cli)
    if not os.access(cli, os.X_OK):
        fail(f"{cli} is not an executable; build it with packaging/build.sh release")
    os.makedirs(args.work, exist_ok=True)
    packages = args.libraries.split(",")
    folders = {p: library_folder(args.work, p) for p in packages}
    names = {p: loaded_blas(cli, folders[p]) for p in packages}
    for p in packages:
        print(f"{p:22} {names[p]}")
    data = make_dataset(cli, args.work, args.train, args.test)
    templates = args.templates.split(",")
    thread_counts = [int(t) for t in args.threads.split(",")]
    runs = os.path.join(args.work, "runs")

    # One model per template (trained on the baseline) for the predict rows.
    models = {}
    for template in templates:
        out = os.path.join(runs, f"model-{template}")
        shutil.rmtree(out, ignore_errors=True)
        timed(train_command(cli, data, template, 2, out), environment(folders[packages[0]]))
        models[template] = os.path.join(out, "model.pt")

    rows = [(task, template, threads) for task in ("train", "predict") for template in templates
            for threads in thread_counts]
    samples = {(row, p): [] for row in rows for p in packages}
    for round_index in range(args.rounds):
        order = packages[round_index % len(packages):] + packages[:round_index % len(packages)]
        for row in rows:
            task, template, threads = row
            for p in order:
                env = environment(folders[p])
                if task == "train":
                    out = os.path.join(runs, "train")
                    shutil.rmtree(out, ignore_errors=True)
                    command = train_command(cli, data, template, threads, out)
                else:
                    command = [cli, "predict", "--model", models[template], "--threads",
                               str(threads), os.path.join(data, "test")]
                samples[(row, p)].append(timed(command, env))
        print(f"round {round_index + 1} of {args.rounds} done", file=sys.stderr)

    results = []
    print(f"\n{args.train} training images, 1 epoch; {args.test} images predicted; "
          f"median of {args.rounds} interleaved rounds (min-max)\n")
    print("| Task | Template | Threads | BLAS | Seconds | CPU/wall | vs reference |")
    print("|---|---|---:|---|---:|---:|---:|")
    for row in rows:
        task, template, threads = row
        reference = samples[(row, packages[0])]
        for p in packages:
            s = summarize(samples[(row, p)], reference)
            results.append({"task": task, "template": template, "threads": threads,
                            "package": p, "blas": names[p], **s})
            print(f"| {task} | {template} {TEMPLATE_SIZES[template]} px | {threads} | {p} | "
                  f"{s['median_s']:.2f} ({s['min_s']:.2f}-{s['max_s']:.2f}) | "
                  f"{s['cpu_per_wall']:.2f} | {s['ratio_to_reference']:.2f} "
                  f"({s['ratio_min']:.2f}-{s['ratio_max']:.2f}) |")
    # The overall figure: the geometric mean of each library's median ratios over all rows.
    print("\n| BLAS | Geometric mean of the ratios to the reference (all rows) |")
    print("|---|---:|")
    for p in packages:
        ratios = [r["ratio_to_reference"] for r in results if r["package"] == p]
        print(f"| {p} | {statistics.geometric_mean(ratios):.3f} |")
    if args.json:
        with open(args.json + ".tmp", "w") as file:
            json.dump(results, file, indent=1)
        os.replace(args.json + ".tmp", args.json)
    print(json.dumps({"bench": "blas", "results": results}))


if __name__ == "__main__":
    main()
