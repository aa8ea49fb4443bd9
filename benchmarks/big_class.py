"""A big class at two batch sizes: time and classifier scores, side by side in one run.

    python benchmarks/big_class.py [--rows 500000] [--seeds 0 1 2] [--batch-sizes 64 auto]

A synthetic table (scikit-learn's ``make_classification``: ``--rows`` rows x 30 features, 10
informative, 30% minority, 5% flipped labels) is split 75/25, stratified; the training part's
minority class (112,500 rows by default) is over-sampled to the majority's size by
``VAEOverSampler(batch_size=b, random_state=seed)`` for each batch size and seed, the batch
sizes alternating within each seed. Each resampled set trains logistic regression and
HistGradientBoosting, scored on the untouched test part. Prints, per batch size, the median
seconds of ``fit_resample``, the median epochs early stopping ran, and each classifier's
median G-mean, minority F1 and average precision over the seeds, then the time ratio.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from imblearn.metrics import geometric_mean_score
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from vae_oversampler import VAEOverSampler

CLASSIFIERS = {
    "logistic regression": lambda: make_pipeline(StandardScaler(), LogisticRegression()),
    "hist gradient boosting": lambda: HistGradientBoostingClassifier(random_state=0),
}


def _median(runs, key):
    return statistics.median(run[key] for run in runs)


def _batch(value: str):
    return value if value == "auto" else int(value)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--batch-sizes", type=_batch, nargs="+", default=[64, "auto"])
    args = parser.parse_args(argv)

    X, y = make_classification(
        n_samples=args.rows,
        n_features=30,
        n_informative=10,
        weights=[0.7],
        flip_y=0.05,
        random_state=0,
    )
    X = X.astype("float32")
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    print(f"training rows per class: {[int((y_train == c).sum()) for c in (0, 1)]}")
    VAEOverSampler(epochs=1, random_state=0).fit_resample(X_train[:2000], y_train[:2000])

    runs = {batch: [] for batch in args.batch_sizes}
    for seed in args.seeds:
        for batch in args.batch_sizes:
            sampler = VAEOverSampler(batch_size=batch, random_state=seed)
            start = time.perf_counter()
            X_res, y_res = sampler.fit_resample(X_train, y_train)
            run = {
                "seconds": time.perf_counter() - start,
                "epochs": len(sampler.history_[1]["loss"]),
            }
            for name, make in CLASSIFIERS.items():
                model = make().fit(X_res, y_res)
                predicted = model.predict(X_test)
                run[(name, "G-mean")] = geometric_mean_score(y_test, predicted)
                run[(name, "F1")] = f1_score(y_test, predicted)
                run[(name, "AP")] = average_precision_score(
                    y_test, model.predict_proba(X_test)[:, 1]
                )
            runs[batch].append(run)
            print(
                f"seed {seed}, batch_size={batch!r}: {run['seconds']:.1f} s, "
                f"{run['epochs']} epochs",
                flush=True,
            )

    print(f"\nmedians over seeds {args.seeds}:")
    print(
        f"{'batch_size':>10} {'seconds':>8} {'epochs':>6}  "
        + "  ".join(f"{name} G-mean / F1 / AP" for name in CLASSIFIERS)
    )
    for batch, batch_runs in runs.items():
        scores = "  ".join(
            " / ".join(
                f"{_median(batch_runs, (name, metric)):.4f}" for metric in ("G-mean", "F1", "AP")
            ).rjust(len(name) + 18)
            for name in CLASSIFIERS
        )
        print(
            f"{batch!r:>10} {_median(batch_runs, 'seconds'):8.1f} "
            f"{_median(batch_runs, 'epochs'):6.0f}  {scores}"
        )
    first, *others = args.batch_sizes
    for other in others:
        ratio = statistics.median(
            a["seconds"] / b["seconds"] for a, b in zip(runs[first], runs[other], strict=True)
        )
        print(f"time, batch_size={first!r} / batch_size={other!r}: {ratio:.2f}x (median of seeds)")


if __name__ == "__main__":
    main()
