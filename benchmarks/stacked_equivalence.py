"""Rerun "VAE (defaults)" of the quality protocol on some data sets and compare its scores with
those in ``benchmarks/scores`` (made by the per-class trainer, before classes were stacked).

    python benchmarks/stacked_equivalence.py new_thyroid1 yeast4 "glass (multi-class)"

Prints, per set, the mean G-mean, F1 and AP over classifiers, folds and seeds (cached and now),
the range of the cached per-seed means, and the mean two-sample AUC of binary sets.
"""

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from tqdm import tqdm

import quality

SAMPLER = "VAE (defaults)"
SCORES = Path(__file__).resolve().parent / "scores"


def mean(rows, key):
    return float(np.mean([row[key] for row in rows]))


def main(names):
    args = argparse.Namespace(
        repeats=2, seeds=3, vae=[], quick=False, data_dir=quality.DATA_DIR, keel_dir=None, csv=None
    )
    data = quality.load_all(args)
    print("| set | metric | cached (per class) | now (stacked) | cached per-seed range |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name in names:
        X, y = data[name]
        start = time.perf_counter()
        with tqdm(disable=True) as progress:
            records, fidelity, _ = quality.run_dataset(name, X, y, args, progress, only=[SAMPLER])
        old_records, old_fidelity, _ = pickle.loads(
            (SCORES / quality.cache_name(name)).read_bytes()
        )
        old_records = [row for row in old_records if row["sampler"] == SAMPLER]
        old_fidelity = [row for row in old_fidelity if row["sampler"] == SAMPLER]
        for metric in ("G-mean", "F1", "AP"):
            seeds = [mean([r for r in old_records if r["seed"] == s], metric) for s in range(3)]
            print(
                f"| {name} | {metric} | {mean(old_records, metric):.4f} | "
                f"{mean(records, metric):.4f} | {min(seeds):.4f}-{max(seeds):.4f} |"
            )
        if old_fidelity:
            print(
                f"| {name} | two-sample AUC | {mean(old_fidelity, 'AUC'):.3f} | "
                f"{mean(fidelity, 'AUC'):.3f} | |"
            )
        print(f"<!-- {name}: {time.perf_counter() - start:.0f} s -->", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
