"""Issue 30's probe: scikit-learn's digits, class 0 whole and classes 1-9 cut to 30 rows;
grow 1, 3 and 9 classes to class 0's count. Medians of 3 seeds after a warm-up call, SMOTE
beside it, and each grown class's epochs.

    python docs/history/speed3_many_classes.py
"""

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.datasets import load_digits

from vae_oversampler import VAEOverSampler

digits = load_digits()
X, y = digits.data, digits.target
# Class 0 kept whole (the majority), classes 1-9 cut to 30 rows.
cut = [np.flatnonzero(y == c)[:30] for c in range(1, 10)]
keep = np.concatenate([np.flatnonzero(y == 0), *cut])
X, y = X[keep], y[keep]
n0 = int((y == 0).sum())


def strategy(k):
    return {c: n0 for c in range(1, 1 + k)}


def timed(sampler):
    start = time.perf_counter()
    sampler.fit_resample(X, y)
    return time.perf_counter() - start


def main():
    VAEOverSampler(random_state=0, sampling_strategy=strategy(9)).fit_resample(X, y)  # warm
    one = None
    for k in (1, 3, 9):
        vae = statistics.median(
            timed(VAEOverSampler(random_state=s, sampling_strategy=strategy(k))) for s in range(3)
        )
        smote = statistics.median(
            timed(SMOTE(random_state=s, sampling_strategy=strategy(k))) for s in range(3)
        )
        one = one or vae
        sampler = VAEOverSampler(random_state=0, sampling_strategy=strategy(k))
        sampler.fit_resample(X, y)
        epochs = [len(h["loss"]) for h in sampler.history_.values()]
        print(
            f"grow {k}: VAE {vae:.3f} s ({vae / one:.2f}x), SMOTE {smote:.4f} s, epochs {epochs}",
            flush=True,
        )


if __name__ == "__main__":
    main()
