"""Time ``fit_resample`` of VAEOverSampler and SMOTE side by side, and print a table.

    python benchmarks/fit_resample_time.py [--data-dir DIR] [--repeats 3]

Runs on KEEL yeast4 (one minority class of 51 rows) and on a synthetic 100,000 x 30 table
with a 10% minority. Times are medians over ``--repeats`` warm calls; the first call of
VAEOverSampler in the process (TensorFlow import and tracing included) is shown apart.
"""

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.datasets import make_classification

from datasets import DATA_DIR, load_keel, numeric
from vae_oversampler import VAEOverSampler


def seconds(make_sampler, X, y, repeats):
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        make_sampler(seed).fit_resample(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=DATA_DIR)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    X_yeast, y_yeast = load_keel(f"{args.data_dir}/keel/yeast4.dat")
    X_big, y_big = make_classification(
        n_samples=100_000, n_features=30, n_informative=10, weights=[0.9], random_state=0
    )
    data = {
        "yeast4": (numeric(X_yeast), y_yeast),
        "synthetic 100k x 30": (X_big.astype(np.float32), y_big),
    }
    start = time.perf_counter()
    VAEOverSampler(random_state=0).fit_resample(*data["yeast4"])
    first = time.perf_counter() - start

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"first VAEOverSampler call in the process (imports, tracing): {first:.2f} s\n")
    print("| data | rows | minority | SMOTE s | VAEOverSampler s | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, (X, y) in data.items():
        smote = seconds(lambda s: SMOTE(random_state=s), X, y, args.repeats)
        vae = seconds(lambda s: VAEOverSampler(random_state=s), X, y, args.repeats)
        print(
            f"| {name} | {len(y)} | {int(np.sum(y == 1))} | {smote:.3f} | {vae:.3f} "
            f"| {vae / smote:.0f}x |"
        )


if __name__ == "__main__":
    main()
