"""Many classes with n_jobs: all five minority classes of satimage against one, warm.

    python benchmarks/many_classes_jobs.py

Times, in one run (median of three warm calls each): one minority class (with the majority),
all five serially, all five with ``n_jobs=2`` on joblib's threading backend and on its default
process backend (each warmed once first, so that worker processes have imported Keras and
traced their models). The five classes have the same epoch length, so they train as one stack:
one job, which n_jobs cannot split.
"""

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from joblib import parallel_config

from datasets import load_satimage
from vae_oversampler import VAEOverSampler


def seconds(X, y, repeats=3, **params):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        VAEOverSampler(random_state=0, **params).fit_resample(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    X, y = load_satimage()
    X = X.to_numpy(dtype=np.float32)
    majority = np.bincount(y).argmax()
    one = np.isin(y, [majority, next(c for c in np.unique(y) if c != majority)])
    seconds(X, y, repeats=1)  # warm the pool: a stack of five, and one of one class
    seconds(X[one], y[one], repeats=1)
    single = seconds(X[one], y[one])
    serial = seconds(X, y)
    with parallel_config(backend="threading"):
        seconds(X, y, repeats=1, n_jobs=2)
        threads = seconds(X, y, n_jobs=2)
    seconds(X, y, repeats=1, n_jobs=2)
    processes = seconds(X, y, n_jobs=2)
    print("| run | seconds | ratio to one class |")
    print("| --- | ---: | ---: |")
    for name, value in [
        ("one class", single),
        ("five classes, serial", serial),
        ("five classes, n_jobs=2, threads", threads),
        ("five classes, n_jobs=2, processes", processes),
    ]:
        print(f"| {name} | {value:.2f} | {value / single:.1f}x |")


if __name__ == "__main__":
    main()
