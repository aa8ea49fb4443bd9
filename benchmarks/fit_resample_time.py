"""Time ``fit_resample`` of VAEOverSampler and SMOTE side by side, and print a table.

    python benchmarks/fit_resample_time.py [--data-dir DIR] [--repeats 3]

Runs on KEEL yeast4 (one minority class of 51 rows) and on a synthetic 100,000 x 30 table
with a 10% minority. Times are medians over ``--repeats`` warm calls; the first call of
VAEOverSampler in the process (TensorFlow import and tracing included) is shown apart.

When ``ctgan`` is installed, SDV's TVAE is timed too (one call each): fitted on the same
minority rows for the same number of epochs as VAEOverSampler's most (30), then sampling
as many rows as VAEOverSampler generates. TVAE has no early stopping; VAEOverSampler may stop
before 30 epochs, which is part of its speed.
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


def tvae_seconds(X, y, epochs=30):
    """Fit TVAE on the minority rows and sample up to the majority's count, in seconds."""
    import pandas as pd
    from ctgan import TVAE

    minority = pd.DataFrame(X[y == 1], columns=[f"x{i}" for i in range(X.shape[1])])
    start = time.perf_counter()
    model = TVAE(epochs=epochs)
    model.fit(minority)
    model.sample(int(np.sum(y == 0) - np.sum(y == 1)))
    return time.perf_counter() - start


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
    try:
        import ctgan  # noqa: F401

        with_tvae = True
    except ImportError:
        with_tvae = False
        print("ctgan is not installed: TVAE is not timed (pip install ctgan).\n")
    header = "| data | rows | minority | SMOTE s | VAEOverSampler s | VAE / SMOTE |"
    rule = "| --- | ---: | ---: | ---: | ---: | ---: |"
    if with_tvae:
        header += " TVAE s | TVAE / VAE |"
        rule += " ---: | ---: |"
    print(header)
    print(rule)
    for name, (X, y) in data.items():
        smote = seconds(lambda s: SMOTE(random_state=s), X, y, args.repeats)
        vae = seconds(lambda s: VAEOverSampler(random_state=s), X, y, args.repeats)
        line = (
            f"| {name} | {len(y)} | {int(np.sum(y == 1))} | {smote:.3f} | {vae:.3f} "
            f"| {vae / smote:.0f}x |"
        )
        if with_tvae:
            tvae = tvae_seconds(X, y)
            line += f" {tvae:.2f} | {tvae / vae:.1f}x |"
        print(line)


if __name__ == "__main__":
    main()
