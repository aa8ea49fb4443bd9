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
  images, with ``sample``, from the other modes in ``SAME_VAES``, for comparison. SMOTE gets
  the pixels as floats (see ``fit_resample``).
- Scores on the held-out half: balanced accuracy, macro F1 and the geometric mean of the
  per-class recalls, averaged over seeds (the spread is the standard deviation).
- Fidelity: the share of generated images that a reader, an RBF support-vector classifier
  trained on the real, balanced held-out half, reads as the digit they were generated for.

Run: ``python benchmarks/images.py`` (about 15 minutes on 2 CPU cores); ``--seeds 1`` for a
quick look, ``--mnist DIR`` for your own IDX files, ``--out FILE`` for the report
(default ``docs/benchmark_images.md``).

**Rare digits** (``--rare-digits 2 6 9``, report ``docs/benchmark_images_rare.md``): one rare
digit at a time. The same stratified halves; the training half keeps every image of the other
digits and ``--rare-rows`` (60) seeded images of the rare digit, and its other images of that
digit are the rare digit's held-out real images. Each sampler grows the rare digit alone to
the largest digit's count (SMOTE, and VAEOverSampler with its defaults and any ``--vae``
variants, as JSON parameters). Per sampler, mean over seeds, digits and both classifiers:

- **rare-digit F1**: the F1 of the rare digit on the balanced scoring half;
- **read as the digit**: the share of generated images the reader (an RBF SVC trained on the
  scoring half) reads as the rare digit, beside its share of the held-out real ones;
- **grey share of ink**: among pixels above 0.1 (of 1), the share below 0.9, over the
  generated images, divided by the same share over the held-out real ones (blur raises it);
- **distance ratio**: the median distance (pixels in [0, 1]) from a generated image to its
  nearest training image of the digit, over the same median for the held-out real images
  (near 0: near-copies; 1: as new as a real unseen digit).
"""

import argparse
import copy
import json
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


def fit_resample(sampler, X, y):
    """``sampler.fit_resample``, with ``(X, y)`` back for no sampler. SMOTE gets float pixels:
    on uint8 images, imbalanced-learn's SMOTE takes the difference of two rows in uint8, which
    wraps around where the neighbour is darker, and its new images get noise there."""
    if sampler is None:
        return X, y
    if isinstance(sampler, SMOTE):
        X = X.astype(np.float32)
    return sampler.fit_resample(X, y)


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
    "VAEOverSampler, posterior points, residuals": {
        "latent_sampling": "posterior",
        "decoder_output": "residual",
    },
    "VAEOverSampler, posterior points, residuals, latent_spread=3": {
        "latent_sampling": "posterior",
        "decoder_output": "residual",
        "latent_spread": 3.0,
    },
    "VAEOverSampler, posterior points, intensities (the first default)": {
        "latent_sampling": "posterior",
        "decoder_output": "mean",
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
            X_res, y_res = fit_resample(sampler, X_train, y_train)
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


# Ink and grey thresholds of the grey share, for pixels scaled to [0, 1].
INK, SOLID = 0.1, 0.9


def grey_share(images: np.ndarray) -> float:
    """Among pixels above ``INK`` (images scaled to [0, 1]), the share below ``SOLID``."""
    ink = images > INK
    return float((ink & (images < SOLID)).sum() / max(ink.sum(), 1))


def nearest_distance(train: np.ndarray, rows: np.ndarray) -> np.ndarray:
    from sklearn.neighbors import NearestNeighbors

    return NearestNeighbors(n_neighbors=1).fit(train).kneighbors(rows)[0][:, 0]


def rare_split(X, y, seed, digit, n_rare):
    """The training half with ``n_rare`` images of ``digit``, its other images of the digit
    (held out) and the balanced scoring half."""
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=seed
    )
    rows = np.flatnonzero(y_train == digit)
    kept = np.random.RandomState([seed, digit]).choice(rows, n_rare, replace=False)
    keep = np.sort(np.concatenate([np.flatnonzero(y_train != digit), kept]))
    held_out = X_train[np.setdiff1d(rows, kept)]
    return X_train[keep], y_train[keep], held_out, X_test, y_test


def rare_samplers(seed, digit, target, variants):
    strategy = {digit: target}
    out = {
        "none": None,
        "SMOTE": SMOTE(sampling_strategy=strategy, random_state=seed),
        "VAEOverSampler": VAEOverSampler(
            image_shape=(28, 28, 1), sampling_strategy=strategy, random_state=seed
        ),
    }
    for params in variants:
        name = "VAEOverSampler " + ", ".join(f"{k}={v}" for k, v in params.items())
        out[name] = VAEOverSampler(
            image_shape=(28, 28, 1), sampling_strategy=strategy, random_state=seed, **params
        )
    return out


def rare_run(X, y, seeds, digits, n_rare, variants):
    rows = []  # dicts: seed, digit, sampler and the measures
    for seed in seeds:
        for digit in digits:
            X_train, y_train, held_out, X_test, y_test = rare_split(X, y, seed, digit, n_rare)
            reader = SVC().fit(X_test / 255.0, y_test)
            train_digit = X_train[y_train == digit] / 255.0
            real = held_out / 255.0
            real_read = float((reader.predict(real) == digit).mean())
            real_grey = grey_share(real)
            real_distance = float(np.median(nearest_distance(train_digit, real)))
            target = int(np.bincount(y_train).max())
            samplers_ = rare_samplers(seed, digit, target, variants)
            for name, sampler in tqdm(samplers_.items(), desc=f"seed {seed}, digit {digit}"):
                start = time.perf_counter()
                X_res, y_res = fit_resample(sampler, X_train, y_train)
                row = {"seed": seed, "digit": digit, "sampler": name}
                row["seconds"] = time.perf_counter() - start
                new = X_res[len(X_train) :] / 255.0
                if len(new):
                    row["read"] = float((reader.predict(new) == digit).mean())
                    row["real read"] = real_read
                    row["grey ratio"] = grey_share(new) / real_grey
                    distance = np.median(nearest_distance(train_digit, new))
                    row["distance ratio"] = float(distance / real_distance)
                for classifier, make in CLASSIFIERS.items():
                    predicted = make().fit(X_res / 255.0, y_res).predict(X_test / 255.0)
                    row[f"F1 {classifier}"] = f1_score(y_test == digit, predicted == digit)
                rows.append(row)
    return rows


def rare_report(rows, seeds, digits, n_rare, command):
    import pandas as pd

    frame = pd.DataFrame(rows)
    frame["F1"] = frame[[f"F1 {c}" for c in CLASSIFIERS]].mean(axis=1)
    names = list(dict.fromkeys(frame["sampler"]))
    lines = [
        "# Image benchmark: one rare digit at a time",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, no GPU, "
        f"Python {platform.python_version()}; {date.today().isoformat()}. Seeds: {list(seeds)}; "
        f"rare digits {list(digits)}, {n_rare} training images each.",
        "",
        "Protocol: see the docstring of `benchmarks/images.py` (rare digits). Means over seeds "
        "and digits; F1 is also averaged over logistic regression and 5-NN.",
        "",
        "## Summary",
        "",
        "| sampler | rare-digit F1 | F1, LR / 5-NN | read as the digit (real) | grey share "
        "/ real's | distance ratio | fit_resample s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in names:
        part = frame[frame["sampler"] == name]
        f1 = " / ".join(f"{part[f'F1 {c}'].mean():.3f}" for c in CLASSIFIERS)
        cells = [f"{part['F1'].mean():.3f}", f1]
        if "read" in part and part["read"].notna().any():
            cells += [
                f"{part['read'].mean():.3f} ({part['real read'].mean():.3f})",
                f"{part['grey ratio'].mean():.2f}",
                f"{part['distance ratio'].mean():.2f}",
            ]
        else:
            cells += ["-", "-", "-"]
        cells.append(f"{part['seconds'].median():.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Rare-digit F1 per digit (mean over seeds and classifiers)",
        "",
        "| sampler | " + " | ".join(str(d) for d in digits) + " |",
        "| --- |" + " ---: |" * len(digits),
    ]
    for name in names:
        part = frame[frame["sampler"] == name]
        cells = [f"{part[part['digit'] == d]['F1'].mean():.3f}" for d in digits]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="number of seeds (default 3)")
    parser.add_argument("--mnist", type=Path, help="directory of MNIST's t10k IDX files")
    parser.add_argument("--out", type=Path, help="the report (default: see the docstring)")
    parser.add_argument(
        "--rare-digits", type=int, nargs="+", help="one rare digit at a time (see the docstring)"
    )
    parser.add_argument("--rare-rows", type=int, default=60, help="its training images")
    parser.add_argument(
        "--vae",
        type=json.loads,
        action="append",
        default=[],
        help="with --rare-digits, another VAEOverSampler variant, as JSON parameters",
    )
    args = parser.parse_args()
    X, y = load_mnist(args.mnist)
    seeds = range(args.seeds)
    if args.rare_digits:
        out = args.out or ROOT / "docs" / "benchmark_images_rare.md"
        rows = rare_run(X, y, seeds, args.rare_digits, args.rare_rows, args.vae)
        command = (
            f"python benchmarks/images.py --seeds {args.seeds} --rare-digits "
            + " ".join(map(str, args.rare_digits))
            + (f" --rare-rows {args.rare_rows}" if args.rare_rows != 60 else "")
            + "".join(f" --vae '{json.dumps(v)}'" for v in args.vae)
        )
        text = rare_report(rows, seeds, args.rare_digits, args.rare_rows, command)
        print(text)
        out.write_text(text)
        print("wrote", out)
        return
    args.out = args.out or ROOT / "docs" / "benchmark_images.md"
    results, fidelity, seconds = run(X, y, seeds)
    command = "python benchmarks/images.py" + (f" --seeds {args.seeds}" if args.seeds != 3 else "")
    text = report(results, fidelity, seconds, seeds, command)
    print(text)
    args.out.write_text(text)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
