"""Per-column missing-rate gap of new rows against the class (issue 28, item 4).

    python docs/history/missing_rate_gap.py   # from the repository root

Six numeric KEEL sets with 15% of cells removed completely at random (two seeds), the
minority class over-sampled with the defaults, then 2,000 more rows drawn with sample(); the
gap of a column is |share missing among new rows - share in the class|. Then a small frame
whose categorical column is missing in 35% of the class.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import numpy as np
import pandas as pd

from datasets import DATA_DIR, load_keel
from vae_oversampler import VAEOverSampler

SETS = ["ecoli3", "pima", "yeast4", "glass6", "vehicle0", "new_thyroid1"]


def gaps(X, y, label, sampler, n_new=2000):
    sampler.fit_resample(X, y)
    new = sampler.sample(n_new, label, random_state=1)
    real = X[y == label]
    new_rates = pd.isna(pd.DataFrame(new)).mean().to_numpy()
    real_rates = pd.isna(pd.DataFrame(real)).mean().to_numpy()
    return np.abs(new_rates - real_rates)


def main():
    for name in SETS:
        X, y = load_keel(Path(DATA_DIR) / "keel" / f"{name}.dat")
        X, y = X.to_numpy(dtype=float), np.asarray(y)
        label = pd.Series(y).value_counts().idxmin()
        for seed in range(2):
            holed = X.copy()
            holed[np.random.RandomState(seed).random_sample(X.shape) < 0.15] = np.nan
            gap = gaps(holed, y, label, VAEOverSampler(random_state=seed))
            rows = (y == label).sum()
            print(f"{name} seed {seed} ({rows} rows): max {gap.max():.3f} mean {gap.mean():.3f}")
    rng = np.random.RandomState(0)
    n = 400
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c": pd.Series(rng.choice(["x", "y", "z"], n), dtype=object),
        }
    )
    y = (np.arange(n) % 5 == 0).astype(int)
    frame.loc[rng.random_sample(n) < 0.25, "c"] = None
    real = frame[y == 1]["c"].isna().mean()
    for seed in range(3):
        sampler = VAEOverSampler(random_state=seed)
        sampler.fit_resample(frame, y)
        new = sampler.sample(2000, 1, random_state=1)["c"].isna().mean()
        print(f"frame seed {seed}: class missing {real:.3f}, new rows {new:.3f}")


if __name__ == "__main__":
    main()
