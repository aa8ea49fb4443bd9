"""Where fit_resample's memory goes on one big class: resident memory at each phase.

    python benchmarks/memory_phases.py [--rows 1000000]

One class of ``--rows`` x 30 float32 rows beside a majority one row larger (speed.py's peak
memory data), one epoch, early stopping off. Prints, after each phase (the training calls are
wrapped, not changed), the resident memory (VmRSS) and the peak so far (VmHWM) above the
baseline, which is taken after the imports and a small warm-up fit, before X exists; both in
MiB and in multiples of the class's own data (D). Linux only (it reads /proc/self/status).
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

import vae_oversampler._sampler as sampler_module
import vae_oversampler._training.train as training_module
from vae_oversampler import VAEOverSampler


def memory_mib():
    """``(VmRSS, VmHWM)`` of this process in MiB."""
    with open("/proc/self/status") as status:
        values = {
            line.split(":")[0]: int(line.split()[1]) / 1024
            for line in status
            if line.startswith(("VmRSS", "VmHWM"))
        }
    return values["VmRSS"], values["VmHWM"]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    import keras

    warm_X = np.random.default_rng(1).standard_normal((2001, 30), dtype=np.float32)
    warm_y = np.r_[np.zeros(1001, int), np.ones(1000, int)]
    VAEOverSampler(epochs=1, early_stopping=False, random_state=0).fit_resample(warm_X, warm_y)
    base = memory_mib()[1]
    log = []

    def mark(name):
        rss, peak = memory_mib()
        log.append((name, rss - base, peak - base))

    def wrap(owner, name, label=None):
        function = getattr(owner, name)

        def wrapped(*args, **kwargs):
            mark(f"{label or name} starts")
            result = function(*args, **kwargs)
            mark(f"{label or name} ends")
            return result

        setattr(owner, name, wrapped)

    wrap(training_module, "train_stack")
    wrap(keras.Model, "fit", "keras fit")
    wrap(sampler_module, "encode")
    wrap(sampler_module, "residuals")

    n = args.rows
    X = np.random.default_rng(0).standard_normal((2 * n + 1, 30), dtype=np.float32)
    y = np.r_[np.zeros(n + 1, int), np.ones(n, int)]
    mark("X made")
    start = time.perf_counter()
    VAEOverSampler(epochs=1, early_stopping=False, random_state=0).fit_resample(X, y)
    mark("fit_resample returned")
    seconds = time.perf_counter() - start

    data = n * 30 * 4 / 2**20
    print(f"baseline {base:.0f} MiB; class data D = {data:.0f} MiB; X = {2 * data:.0f} MiB")
    print(f"fit_resample took {seconds:.1f} s\n")
    print("| after | resident above baseline | peak so far |")
    print("| --- | ---: | ---: |")
    for name, rss, peak in log:
        print(
            f"| {name} | {rss:.0f} MiB ({rss / data:.1f} D) "
            f"| {peak:.0f} MiB ({peak / data:.1f} D) |"
        )


if __name__ == "__main__":
    main()
