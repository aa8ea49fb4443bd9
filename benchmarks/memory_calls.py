"""Resident memory over many consecutive fit_resample calls in one process, as a grid search
makes them.

    python benchmarks/memory_calls.py [--calls 1000] [--every 30]

Each call fits a new ``VAEOverSampler(random_state=call)`` on the same small set (300 rows, 5
features, 15% minority; the defaults, early stopping on) and keeps nothing. Prints the
resident memory (VmRSS, MiB) after call 1, after every ``--every`` calls and after the last,
then its growth from call 30 to the last call, with the seconds per call. Linux only (it
reads /proc/self/status).
"""

import argparse
import gc
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from sklearn.datasets import make_classification

from vae_oversampler import VAEOverSampler


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--every", type=int, default=30)
    args = parser.parse_args(argv)

    X, y = make_classification(n_samples=300, n_features=5, weights=[0.85], random_state=0)
    marks = {}
    start = time.perf_counter()
    for call in range(1, args.calls + 1):
        VAEOverSampler(random_state=call).fit_resample(X, y)
        if call == 1 or call % args.every == 0 or call == args.calls:
            gc.collect()
            marks[call] = rss_mib()
            print(f"call {call:5d}: RSS {marks[call]:8.1f} MiB", flush=True)
    seconds = (time.perf_counter() - start) / args.calls
    reference = 30 if 30 in marks else min(marks)
    growth = marks[args.calls] - marks[reference]
    print(
        f"growth from call {reference} to call {args.calls}: {growth:+.1f} MiB "
        f"({seconds:.3f} s per call)"
    )


if __name__ == "__main__":
    main()
