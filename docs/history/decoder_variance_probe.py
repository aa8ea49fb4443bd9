"""Where the decoder's per-column log-variance ends, and how wide the posteriors are (issue 31).

    python docs/history/decoder_variance_probe.py                      # the code as it is
    PYTHONPATH=<tree with the patch>/src python docs/history/decoder_variance_probe.py

For 5 KEEL sets (standardised), 2 seeds: the share of numeric columns whose learned
log-variance ends within 0.05 of the upper bound 0, its mean, the mean posterior standard
deviation of the minority rows (1 is the prior's), and the epochs trained.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import keras
import numpy as np
from sklearn.preprocessing import StandardScaler

from datasets import DATA_DIR, load_keel
from vae_oversampler import VAEOverSampler


def main():
    for name in ["ecoli3", "glass6", "yeast4", "pima", "vehicle0"]:
        X, y = load_keel(Path(DATA_DIR) / "keel" / f"{name}.dat")
        X = StandardScaler().fit_transform(X.to_numpy(float))
        y = np.asarray(y)
        parts = []
        for seed in range(2):
            sampler = VAEOverSampler(random_state=seed)
            sampler.fit_resample(X, y)
            log_var = keras.ops.convert_to_numpy(sampler.vaes_[1].output_log_var())
            std = np.exp(0.5 * sampler.encodings_[1][1]).mean()
            epochs = len(sampler.history_[1]["loss"])
            parts.append(
                f"at-bound {np.mean(log_var > -0.05):.2f} mean-logvar {log_var.mean():+.2f} "
                f"post-std {std:.2f} epochs {epochs}"
            )
        print(name, " | ".join(parts), flush=True)


if __name__ == "__main__":
    main()
