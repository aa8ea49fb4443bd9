"""Demo: over-sample a rare digit of scikit-learn's digits, then compare held-out scores.

Run it with ``python -m vae_oversampler.demo``. The data ships with scikit-learn (no download).
"""

import argparse
import os
import sys
import time
from collections import Counter

import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from vae_oversampler import VAEOverSampler


def quiet_tensorflow_start() -> None:
    """Start TensorFlow with its start-up log hidden, before anything else imports it.

    On a machine without a GPU, TensorFlow prints CUDA probing errors (``failed call to
    cuInit``) and CPU notices that read like failures. Its C++ logging writes them to file
    descriptor 2 before ``TF_CPP_MIN_LOG_LEVEL`` takes effect, so that descriptor points to
    ``/dev/null`` while TensorFlow imports and finds its devices. Only this demo does this: the
    library leaves the user's environment and streams alone. A Python error is still raised.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow as tf

        tf.config.list_physical_devices()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def imbalanced_digits(rare_digit: int, keep: float, seed: int):
    """Digits with all but ``keep`` of ``rare_digit``'s images dropped."""
    X, y = load_digits(return_X_y=True)
    rng = np.random.RandomState(seed)
    rare = np.flatnonzero(y == rare_digit)
    dropped = rng.choice(rare, size=len(rare) - int(keep * len(rare)), replace=False)
    mask = np.ones(len(y), bool)
    mask[dropped] = False
    return X[mask], y[mask]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rare-digit", type=int, default=8)
    parser.add_argument("--keep", type=float, default=0.1, help="share of the digit kept")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    quiet_tensorflow_start()

    X, y = imbalanced_digits(args.rare_digit, args.keep, args.seed)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=args.seed
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    print(f"training counts: {dict(sorted(Counter(y_train.tolist()).items()))}")

    samplers = {
        "no resampling": None,
        "SMOTE": SMOTE(random_state=args.seed),
        "VAEOverSampler": VAEOverSampler(random_state=args.seed),
    }
    scores = {}
    for name, sampler in samplers.items():
        start = time.perf_counter()
        X_res, y_res = (
            (X_train, y_train) if sampler is None else sampler.fit_resample(X_train, y_train)
        )
        seconds = time.perf_counter() - start
        if sampler is not None:
            print(f"after {name + ':':<15} {dict(sorted(Counter(y_res.tolist()).items()))}")
        predicted = LogisticRegression(max_iter=2000).fit(X_res, y_res).predict(X_test)
        scores[name] = (
            balanced_accuracy_score(y_test, predicted),
            f1_score(y_test, predicted, average="macro"),
            f1_score(y_test, predicted, labels=[args.rare_digit], average="macro"),
            seconds,
        )

    print(f"\nheld-out scores ({len(y_test)} rows, rare digit {args.rare_digit}):")
    header = ("sampler", "balanced acc", "macro F1", "rare-digit F1", "resample s")
    print("{:<16} {:>12} {:>9} {:>14} {:>11}".format(*header))
    for name, (bacc, macro_f1, rare_f1, seconds) in scores.items():
        print(f"{name:<16} {bacc:>12.3f} {macro_f1:>9.3f} {rare_f1:>14.3f} {seconds:>11.2f}")


if __name__ == "__main__":
    main()
