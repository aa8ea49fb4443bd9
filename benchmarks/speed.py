"""Speed and scale of VAEOverSampler, measured side by side in one run.

    python benchmarks/speed.py [--data-dir DIR] [--max-rows 1000000] [--seeds 5]
        [--plot docs/scaling.png]

Prints, as markdown:
- import cost of ``vae_oversampler`` over ``imblearn`` (fresh interpreters);
- many classes: one to all five minority classes of satimage (sat.trn) grown, medians over
  ``--seeds`` random states;
- epoch time on one synthetic class of 1k to ``--max-rows`` rows x 30 features, with the
  network's arithmetic (multiply-adds of the forward and backward passes) timed as plain
  NumPy matrix products for comparison;
- peak memory of ``fit_resample`` on the largest class, in a fresh process;
- a plot of time against rows and against the number of classes.
Every ratio compares numbers taken in this same run.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from datasets import DATA_DIR, load_satimage
from vae_oversampler import VAEOverSampler


def import_seconds(module, repeats=5):
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeats)
    ]
    return statistics.median(runs)


def timed(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def one_class(n_rows, n_features=30, seed=0):
    """A majority of ``n_rows`` + 1 rows and one class of ``n_rows`` rows to grow by one row."""
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((2 * n_rows + 1, n_features)).astype(np.float32)
    y = np.r_[np.zeros(n_rows + 1, int), np.ones(n_rows, int)]
    return X, y


def epoch_seconds(n_rows):
    """Seconds per training epoch on one class: (3 epochs - 1 epoch) / 2, early stopping off."""
    X, y = one_class(n_rows)

    def run(epochs):
        return timed(
            lambda: VAEOverSampler(
                epochs=epochs, early_stopping=False, random_state=0
            ).fit_resample(X, y),
            repeats=1 if n_rows > 100_000 else 3,
        )

    run(1)  # warm the pool for this shape
    return (run(3) - run(1)) / 2


def arithmetic_seconds(n_rows, n_features=30, hidden=(64, 64), latent=8, batch=64):
    """Time of the network's matrix products for one epoch, as NumPy float32 GEMMs."""
    widths = [n_features, *hidden, 2 * latent]
    decoder = [latent, *hidden[::-1], n_features]
    layers = [*pairwise(widths), *pairwise(decoder)]
    rng = np.random.RandomState(0)
    mats = [
        (
            rng.standard_normal((batch, a)).astype(np.float32),
            rng.standard_normal((a, b)).astype(np.float32),
        )
        for a, b in layers
    ]
    steps = 200

    def step():
        for x, w in mats:  # forward, and the two products of the backward pass
            out = x @ w
            _ = out @ w.T
            _ = x.T @ out

    per_step = timed(lambda: [step() for _ in range(steps)]) / steps
    return per_step * np.ceil(n_rows / batch)


def peak_memory_mb(n_rows):
    """Peak RSS growth of building X and running fit_resample, in a fresh process.

    The baseline is taken after the imports and a small warm-up fit, before X exists; X (two
    classes, ``2 * n_rows + 1`` rows) is drawn directly in float32. The peak is Linux's
    ``VmHWM``, which starts afresh with the child's program: ``ru_maxrss`` carries over the
    parent's peak through fork and exec, so after this script's big epochs it read the
    parent's size, not the child's.
    """
    code = f"""
import os, resource, json, numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
def peak_kib():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from vae_oversampler import VAEOverSampler
warm_X = np.random.default_rng(1).standard_normal((2001, 30), dtype=np.float32)
warm_y = np.r_[np.zeros(1001, int), np.ones(1000, int)]
VAEOverSampler(epochs=1, early_stopping=False, random_state=0).fit_resample(warm_X, warm_y)
base = peak_kib()
X = np.random.default_rng(0).standard_normal(({n_rows} * 2 + 1, 30), dtype=np.float32)
y = np.r_[np.zeros({n_rows} + 1, int), np.ones({n_rows}, int)]
VAEOverSampler(epochs=1, early_stopping=False, random_state=0).fit_resample(X, y)
peak = peak_kib()
print(json.dumps({{"base": base / 1024, "growth": (peak - base) / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["class_data"] = n_rows * 30 * 4 / 2**20
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default=DATA_DIR)
    parser.add_argument("--max-rows", type=int, default=1_000_000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--plot", default=Path(__file__).resolve().parents[1] / "docs/scaling.png")
    args = parser.parse_args(argv)

    imblearn_s, ours_s = import_seconds("imblearn"), import_seconds("vae_oversampler")
    print("## Import\n")
    print(
        f"`import imblearn` {imblearn_s:.3f} s, `import vae_oversampler` {ours_s:.3f} s: "
        f"{ours_s - imblearn_s:+.3f} s\n"
    )

    X, y = load_satimage(args.data_dir)
    X = X.to_numpy(dtype=float)
    labels, counts = np.unique(y, return_counts=True)
    majority = labels[np.argmax(counts)]
    minority = [label for label in labels if label != majority]
    strategies = {
        k: {label: int(counts.max()) for label in minority[:k]}
        for k in range(1, len(minority) + 1)
    }
    for strategy in strategies.values():  # warm every stack size
        VAEOverSampler(sampling_strategy=strategy, random_state=0).fit_resample(X, y)
    # Seeds in the outer loop, so that a slow spell of the machine hits every k alike; early
    # stopping sets the epochs, so each k's time is the median over the seeds.
    runs = {k: [] for k in strategies}
    for seed in range(args.seeds):
        for k, strategy in strategies.items():
            runs[k].append(
                timed(
                    lambda s=strategy, r=seed: VAEOverSampler(
                        sampling_strategy=s, random_state=r
                    ).fit_resample(X, y),
                    repeats=1,
                )
            )
    per_k = {k: statistics.median(times) for k, times in runs.items()}
    print(
        f"## Many classes (satimage sat.trn, warm, median over random_state 0..{args.seeds - 1})\n"
    )
    print("| classes grown | seconds | ratio to one class |")
    print("| ---: | ---: | ---: |")
    for k, seconds in per_k.items():
        print(f"| {k} | {seconds:.2f} | {seconds / per_k[1]:.2f} |")

    sizes = [n for n in (1_000, 10_000, 100_000, 1_000_000) if n <= args.max_rows]
    epochs = {n: epoch_seconds(n) for n in sizes}
    arithmetic = {n: arithmetic_seconds(n) for n in sizes}
    print("\n## Epoch time on one class of n x 30 (default network and batch_size)\n")
    print("| rows | seconds per epoch | NumPy GEMM time of the same products | ratio |")
    print("| ---: | ---: | ---: | ---: |")
    for n in sizes:
        print(f"| {n} | {epochs[n]:.3f} | {arithmetic[n]:.3f} | {epochs[n] / arithmetic[n]:.1f} |")

    memory = peak_memory_mb(sizes[-1])
    print(f"\n## Peak memory, one class of {sizes[-1]} x 30 float32\n")
    print(
        f"class data {memory['class_data']:.0f} MiB; input X (both classes) "
        f"{2 * memory['class_data']:.0f} MiB; framework baseline {memory['base']:.0f} MiB; "
        f"peak above the baseline, X included, {memory['growth']:.0f} MiB: "
        f"{memory['growth'] / memory['class_data']:.1f}x the class data, "
        f"{memory['growth'] / (2 * memory['class_data']):.2f}x X"
    )

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.loglog(sizes, [epochs[n] for n in sizes], "o-", label="VAEOverSampler epoch")
    left.loglog(sizes, [arithmetic[n] for n in sizes], "s--", label="NumPy GEMMs")
    left.set_xlabel("rows in the class")
    left.set_ylabel("seconds")
    left.legend()
    right.plot(list(per_k), list(per_k.values()), "o-")
    right.set_xlabel("classes grown (satimage)")
    right.set_ylabel("fit_resample seconds")
    right.set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(args.plot, dpi=120)
    print(f"\nplot: {args.plot}")


if __name__ == "__main__":
    main()
