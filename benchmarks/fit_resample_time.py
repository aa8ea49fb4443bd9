"""Time ``fit_resample`` of VAEOverSampler and SMOTE side by side, and print markdown tables.

    python benchmarks/fit_resample_time.py [--data-dir DIR] [--seeds 10] [--big-rows 100000]
    python benchmarks/fit_resample_time.py --many-classes [--seeds 5]   # that table alone

Rows, all measured in this one run (the machine is shared, so compare ratios within it):

- **first call**: a fresh interpreter that imports vae_oversampler and over-samples KEEL
  yeast4, against one that only runs ``import keras``; medians of three fresh processes each,
  alternating;
- **small class** (yeast4's minority class of 51 rows), warm: early stopping off (every
  epoch runs), median over three seeds; then the defaults over ``random_state`` 0 to
  ``--seeds`` - 1, median and maximum, since early stopping sets how many epochs run;
- **big class**: a synthetic class of ``--big-rows`` x 30 (beside a majority 1.5 times its
  size) with the defaults, warm, median over three seeds, with the epochs early stopping ran;
- **many classes**: scikit-learn's digits with class 0 whole and classes 1-9 cut to 30 rows,
  growing 1, 3 and all 9 of them to class 0's count, and UCI satimage (5 classes grown to the
  largest), defaults, warm, medians over ``random_state`` 0 to ``--seeds`` - 1, each as a
  multiple of the 1-class call.

Each row also times SMOTE on the same data. When ``ctgan`` is installed, SDV's TVAE is timed on
the small class (one call: fitted on the minority rows for 30 epochs, VAEOverSampler's most,
then sampling as many rows as VAEOverSampler generates).
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from imblearn.over_sampling import SMOTE

from datasets import DATA_DIR, load_keel, numeric
from vae_oversampler import VAEOverSampler

FIRST_CALL = """
import sys, time
start = time.perf_counter()
{body}
print(time.perf_counter() - start)
"""
SAMPLER_CALL = """
sys.path.insert(0, {benchmarks!r})
from datasets import load_keel, numeric
from vae_oversampler import VAEOverSampler
X, y = load_keel({path!r})
VAEOverSampler(random_state=0).fit_resample(numeric(X), y)
"""


def fresh_seconds(body: str) -> float:
    """Seconds a fresh interpreter takes to run ``body`` (interpreter start-up excluded)."""
    code = FIRST_CALL.format(body=body)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return float(out.stdout.strip().splitlines()[-1])


def call_seconds(make_sampler, X, y, seeds) -> list:
    """Seconds of ``make_sampler(seed).fit_resample(X, y)`` for each seed."""
    times = []
    for seed in seeds:
        start = time.perf_counter()
        make_sampler(seed).fit_resample(X, y)
        times.append(time.perf_counter() - start)
    return times


def epochs_run(sampler) -> int:
    return max(len(history["loss"]) for history in sampler.history_.values())


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


def big_class(n_rows: int, n_features: int = 30, seed: int = 0):
    """A class of ``n_rows`` rows beside a majority 1.5 times its size, shifted apart."""
    rng = np.random.RandomState(seed)
    n_major = n_rows * 3 // 2
    X = rng.standard_normal((n_major + n_rows, n_features)).astype(np.float32)
    X[n_major:, : n_features // 3] += 1.0
    y = np.r_[np.zeros(n_major, int), np.ones(n_rows, int)]
    return X, y


def digits_cut(n_rows: int = 30):
    """scikit-learn's digits: class 0 whole, classes 1-9 cut to their first ``n_rows`` rows."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    keep = np.concatenate(
        [np.flatnonzero(y == 0)] + [np.flatnonzero(y == c)[:n_rows] for c in range(1, 10)]
    )
    return X[keep], y[keep]


def many_classes(args) -> None:
    """Print the many-classes table (see the module docstring)."""
    from datasets import load_satimage

    X, y = digits_cut()
    n0 = int(np.sum(y == 0))
    X_sat, y_sat = load_satimage(args.data_dir)
    X_sat = numeric(X_sat)
    cases = [
        (
            f"digits, grow {k} class{'es' if k > 1 else ''} of 30 rows",
            X,
            y,
            {c: n0 for c in range(1, k + 1)},
        )
        for k in (1, 3, 9)
    ]
    cases.append(("satimage, grow its 5 smaller classes", X_sat, y_sat, "auto"))
    VAEOverSampler(random_state=0, sampling_strategy=cases[2][3]).fit_resample(X, y)  # warm
    VAEOverSampler(random_state=0).fit_resample(X_sat, y_sat)
    seeds = range(args.seeds)
    print(f"\n## Many classes (medians over random_state 0..{args.seeds - 1})\n")
    print("| case | VAEOverSampler s | x the 1-class call | SMOTE s |")
    print("| --- | ---: | ---: | ---: |")
    one = None
    for name, X_case, y_case, strategy in cases:
        vae, smote = (
            statistics.median(
                call_seconds(
                    lambda s, c=sampler, st=strategy: c(random_state=s, sampling_strategy=st),
                    X_case,
                    y_case,
                    seeds,
                )
            )
            for sampler in (VAEOverSampler, SMOTE)
        )
        one = one or vae
        print(f"| {name} | {vae:.3f} | {vae / one:.2f}x | {smote:.4f} |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default=DATA_DIR)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--big-rows", type=int, default=100_000)
    parser.add_argument("--many-classes", action="store_true", help="that table alone")
    args = parser.parse_args(argv)
    path = f"{args.data_dir}/keel/yeast4.dat"
    python = sys.version.split()[0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; python {python}")
    if args.many_classes:
        many_classes(args)
        return

    benchmarks = os.path.dirname(os.path.abspath(__file__))
    firsts, keras_alone = [], []
    for _ in range(3):
        firsts.append(fresh_seconds(SAMPLER_CALL.format(benchmarks=benchmarks, path=path)))
        keras_alone.append(fresh_seconds("import keras"))
    first, alone = statistics.median(firsts), statistics.median(keras_alone)
    print("\n## First call in a fresh process (import included)\n")
    print("| run | seconds (median of 3 processes) |")
    print("| --- | ---: |")
    print(f"| import vae_oversampler + fit_resample on yeast4 | {first:.2f} |")
    print(f"| `import keras` alone | {alone:.2f} |")
    print(f"| difference | {first - alone:+.2f} |")

    X_small, y_small = load_keel(path)
    X_small = numeric(X_small)
    X_big, y_big = big_class(args.big_rows)
    VAEOverSampler(random_state=0).fit_resample(X_small, y_small)  # warm the pool
    VAEOverSampler(random_state=0, early_stopping=False).fit_resample(X_small, y_small)
    smote_small = statistics.median(
        call_seconds(lambda s: SMOTE(random_state=s), X_small, y_small, range(3))
    )
    no_stopping = call_seconds(
        lambda s: VAEOverSampler(random_state=s, early_stopping=False), X_small, y_small, range(3)
    )
    defaults = call_seconds(
        lambda s: VAEOverSampler(random_state=s), X_small, y_small, range(args.seeds)
    )
    samplers = [VAEOverSampler(random_state=seed) for seed in range(3)]
    VAEOverSampler(random_state=0, epochs=1).fit_resample(X_big, y_big)  # warm the pool
    big = call_seconds(lambda s: samplers[s], X_big, y_big, range(3))
    smote_big = statistics.median(
        call_seconds(lambda s: SMOTE(random_state=s), X_big, y_big, range(3))
    )
    n_small = int(np.sum(y_small == 1))
    print("\n## Warm calls\n")
    print("| case | VAEOverSampler s | SMOTE s | VAE / SMOTE |")
    print("| --- | ---: | ---: | ---: |")
    rows = [
        (
            f"yeast4, a {n_small}-row class, early stopping off (all 30 epochs), "
            "median of 3 seeds",
            statistics.median(no_stopping),
            smote_small,
        ),
        (
            f"the same class, defaults, median over random_state 0..{args.seeds - 1} "
            f"(max {max(defaults):.2f} s)",
            statistics.median(defaults),
            smote_small,
        ),
        (
            f"a {args.big_rows:,} x 30 class, defaults, median of 3 seeds "
            f"(epochs run: {', '.join(str(epochs_run(s)) for s in samplers)})",
            statistics.median(big),
            smote_big,
        ),
    ]
    for name, vae, smote in rows:
        ratio = vae / smote
        print(f"| {name} | {vae:.3f} | {smote:.4f} | {ratio:.{0 if ratio >= 10 else 2}f}x |")
    many_classes(args)

    try:
        import ctgan  # noqa: F401
    except ImportError:
        print("\nctgan is not installed: TVAE is not timed (pip install ctgan).")
        return
    tvae = tvae_seconds(X_small, y_small)
    print(
        f"\nTVAE on the {n_small}-row class, 30 epochs, one call: {tvae:.2f} s, "
        f"{tvae / statistics.median(no_stopping):.1f}x VAEOverSampler with every epoch."
    )


if __name__ == "__main__":
    main()
