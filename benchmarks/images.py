"""MNIST made imbalanced: no resampling, RandomOverSampler, SMOTE and the convolutional VAE.

Protocol:

- MNIST's 10,000 test images, split in two stratified halves (seeded). The first half is made
  imbalanced with the DeepSMOTE protocol's class counts (4000, 2000, 1000, 750, 500, 350, 200,
  100, 60, 40 for digits 0-9) scaled so that digit 0 keeps all its rows in the half: about
  490, 245, 122, 92, 61, 43, 24, 12, 7 and 5 rows, about 100:1. The second half, balanced and
  untouched, scores.
- Each sampler grows every class to the largest one's size; a classifier (logistic
  regression and 5-nearest-neighbours, on pixels scaled to [0, 1]) trains on its output.
  VAEOverSampler runs with its defaults (for images, latent points interpolated between
  encoded neighbours, with the residuals of both ends); the same trained VAEs also make new
  images, with ``sample``, from the other modes in ``SAME_VAES``, for comparison.
- Scores on the held-out half: balanced accuracy, macro F1 and the geometric mean of the
  per-class recalls, averaged over seeds (the spread is the standard deviation).
- Fidelity: the share of generated images that a reader, an RBF support-vector classifier
  trained on the real, balanced held-out half, reads as the digit they were generated for.

Run: ``python benchmarks/images.py`` (about 15 minutes on 2 CPU cores); ``--seeds 1`` for a
quick look, ``--mnist DIR`` for your own IDX files, ``--out FILE`` for the report
(default ``docs/benchmark_images.md``).
"""

import argparse
import copy
import os
import platform
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from imblearn.metrics import geometric_mean_score
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from tqdm import tqdm

from datasets import load_mnist
from vae_oversampler import VAEOverSampler

DEEPSMOTE_COUNTS = np.array([4000, 2000, 1000, 750, 500, 350, 200, 100, 60, 40])
ROOT = Path(__file__).resolve().parents[1]


def imbalanced_split(X, y, seed):
    """The DeepSMOTE-shaped training half and the balanced scoring half."""
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=seed
    )
    available = np.bincount(y_train)
    counts = np.maximum(1, np.rint(DEEPSMOTE_COUNTS * available[0] / DEEPSMOTE_COUNTS[0]))
    rng = np.random.RandomState(seed)
    keep = np.concatenate(
        [
            rng.choice(np.flatnonzero(y_train == d), int(n), replace=False)
            for d, n in enumerate(counts)
        ]
    )
    keep.sort()
    return X_train[keep], y_train[keep], X_test, y_test


def samplers(seed, smallest):
    return {
        "none": None,
        "RandomOverSampler": RandomOverSampler(random_state=seed),
        # SMOTE needs k_neighbors below the smallest class's size.
        "SMOTE": SMOTE(k_neighbors=min(5, smallest - 1), random_state=seed),
        # Defaults: for images, latent_sampling="interpolate" with decoder_output="residual".
        "VAEOverSampler": VAEOverSampler(image_shape=(28, 28, 1), random_state=seed),
    }


CLASSIFIERS = {
    "logistic regression": lambda: LogisticRegression(max_iter=300),
    "5-NN": lambda: KNeighborsClassifier(5),
}


# Other generation modes of the same trained VAEs: name -> parameters for ``sample``.
SAME_VAES = {
    "VAEOverSampler, posterior points, intensities (the old default)": {
        "latent_sampling": "posterior",
        "decoder_output": "mean",
    },
    "VAEOverSampler, posterior points, residuals": {
        "latent_sampling": "posterior",
        "decoder_output": "residual",
    },
    "VAEOverSampler, interpolated points, intensities": {
        "latent_sampling": "interpolate",
        "decoder_output": "mean",
    },
    "VAEOverSampler, prior points, intensities": {
        "latent_sampling": "prior",
        "decoder_output": "mean",
    },
}


def with_other_mode(sampler, X_train, y_train, seed, params):
    """The same trained VAEs, with new images made with other ``params``; no retraining."""
    sampler = clone_fitted(sampler, params)
    new = {
        label: sampler.sample(n, label, random_state=seed)
        for label, n in sampler.sampling_strategy_.items()
        if n
    }
    X_new = np.concatenate([X_train, *new.values()])
    y_new = np.concatenate([y_train, *(np.full(len(v), k) for k, v in new.items())])
    return X_new, y_new


def clone_fitted(sampler, params):
    """A shallow copy of a fitted sampler (the same VAEs) with other generation ``params``."""
    other = copy.copy(sampler)
    return other.set_params(**params)


def scores(y_true, y_pred):
    return {
        "balanced accuracy": balanced_accuracy_score(y_true, y_pred),
        "macro F1": f1_score(y_true, y_pred, average="macro"),
        "G-mean": geometric_mean_score(y_true, y_pred),
    }


def run(X, y, seeds):
    results = []  # (seed, sampler, classifier, metric, value)
    fidelity, seconds = {}, {}
    for seed in tqdm(seeds, desc="seeds"):
        X_train, y_train, X_test, y_test = imbalanced_split(X, y, seed)
        reader = SVC().fit(X_test / 255.0, y_test)
        for name, sampler in samplers(seed, np.bincount(y_train).min()).items():
            start = time.perf_counter()
            X_res, y_res = (
                (X_train, y_train) if sampler is None else sampler.fit_resample(X_train, y_train)
            )
            seconds.setdefault(name, []).append(time.perf_counter() - start)
            outputs = {name: (X_res, y_res)}
            if isinstance(sampler, VAEOverSampler):
                for mode, params in SAME_VAES.items():
                    outputs[mode] = with_other_mode(sampler, X_train, y_train, seed, params)
            for label, (X_res, y_res) in outputs.items():
                new_X, new_y = X_res[len(X_train) :], y_res[len(X_train) :]
                if len(new_y):
                    read = reader.predict(new_X / 255.0)
                    fidelity.setdefault(label, []).append(float((read == new_y).mean()))
                for classifier, make in CLASSIFIERS.items():
                    model = make().fit(X_res / 255.0, y_res)
                    for metric, value in scores(y_test, model.predict(X_test / 255.0)).items():
                        results.append((seed, label, classifier, metric, value))
        print(f"seed {seed}: training rows per digit {np.bincount(y_train).tolist()}")
    return results, fidelity, seconds


def report(results, fidelity, seconds, seeds, command):
    names = list(dict.fromkeys(r[1] for r in results))
    metrics = list(dict.fromkeys(r[3] for r in results))
    lines = [
        "# Image benchmark: imbalanced MNIST",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, no GPU, "
        f"Python {platform.python_version()}; {date.today().isoformat()}. Seeds: {list(seeds)}.",
        "",
        "Protocol: see the docstring of `benchmarks/images.py` (DeepSMOTE class counts scaled "
        "to half of MNIST's 10,000 test images, about 100:1; the other half scores). Scores are "
        "means over seeds, ± the standard deviation between seeds.",
        "",
    ]
    for classifier in CLASSIFIERS:
        lines += [f"## {classifier}", "", "| sampler | " + " | ".join(metrics) + " |"]
        lines.append("| --- |" + " ---: |" * len(metrics))
        for name in names:
            cells = []
            for metric in metrics:
                values = [r[4] for r in results if r[1:4] == (name, classifier, metric)]
                cells.append(f"{np.mean(values):.3f} ± {np.std(values):.3f}")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "## Fidelity and cost",
        "",
        "Fidelity: share of generated images that an RBF SVC trained on real, balanced digits "
        "reads as the digit they were generated for (RandomOverSampler's are copies of real "
        "images, so its share is the reader's own accuracy on training digits).",
        "",
        "| sampler | fidelity | fit_resample seconds |",
        "| --- | ---: | ---: |",
    ]
    for name in names:
        share = f"{np.mean(fidelity[name]):.3f}" if name in fidelity else "-"
        cost = f"{np.mean(seconds[name]):.2f}" if name in seconds else "(same VAEs)"
        lines.append(f"| {name} | {share} | {cost} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="number of seeds (default 3)")
    parser.add_argument("--mnist", type=Path, help="directory of MNIST's t10k IDX files")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark_images.md")
    args = parser.parse_args()
    X, y = load_mnist(args.mnist)
    seeds = range(args.seeds)
    results, fidelity, seconds = run(X, y, seeds)
    command = "python benchmarks/images.py" + (f" --seeds {args.seeds}" if args.seeds != 3 else "")
    text = report(results, fidelity, seconds, seeds, command)
    print(text)
    args.out.write_text(text)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
