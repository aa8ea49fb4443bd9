"""Missing-value benchmark: VAEOverSampler on tables with holes against imputing first.

    python benchmarks/missing.py --quick        # 5 sets, 20% missing, both mechanisms
    python benchmarks/missing.py                # every numeric KEEL set, 10/20/40% missing
    python benchmarks/missing.py --keel-dir DIR # your own directory of KEEL .dat files

Data: the numeric KEEL sets (those without categorical columns), with cells removed from every
feature but the first:

- MCAR: each cell independently, with probability ``rate``;
- MAR: a cell of row i with probability ``2 * rate * r_i`` (at most 1), where ``r_i`` in (0, 1]
  is row i's rank on the first feature, divided by the number of rows: rows with a high first
  feature lose more cells, and the first feature is never missing.

Protocol: stratified 5-fold, the same folds and holes for every sampler. In each training fold
a StandardScaler is fitted on the observed values (it keeps the holes), then:

- ``VAE (native)``: VAEOverSampler on the rows with their holes;
- ``SimpleImputer + SMOTE``, ``IterativeImputer + SMOTE``, ``SimpleImputer + VAE``: the
  imputer is fitted on the training fold and fills it (and later the test fold), then the
  sampler runs;
- ``none``: the rows with their holes, no resampling.

Classifiers: HistGradientBoosting, which reads missing values natively, and
SimpleImputer(mean) + logistic regression (the imputer is fitted on the resampled rows, and
does nothing after an imputing sampler). Scores per fold; ranks of the samplers per data set,
mechanism, rate and classifier (1 is best), averaged. The missing-rate gap is, per column of
the minority class, |share of missing cells in the new rows - share in the training fold's
real rows|, averaged over the columns with holes, then over folds.
"""

import argparse
import os
import platform
import sys
import time
import warnings
from datetime import date
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd
from imblearn.metrics import geometric_mean_score
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from datasets import DATA_DIR, load_keel
from vae_oversampler import VAEOverSampler

QUICK_SETS = ["ecoli3", "glass6", "pima", "vehicle0", "yeast4"]
RATES = (0.1, 0.2, 0.4)
MECHANISMS = ("MCAR", "MAR")
METRICS = ("G-mean", "F1", "AP")
NATIVE = "VAE (native)"


def remove_cells(X: np.ndarray, rate: float, mechanism: str, seed: int) -> np.ndarray:
    """A copy of ``X`` with cells of every column but the first set to NaN (see the module
    docstring)."""
    rng = np.random.RandomState(seed)
    X = X.astype(float)
    if mechanism == "MCAR":
        p = np.full(len(X), rate)
    else:
        ranks = pd.Series(X[:, 0]).rank(method="first").to_numpy() / len(X)
        p = np.minimum(1.0, 2.0 * rate * ranks)
    holes = rng.random_sample((len(X), X.shape[1] - 1)) < p[:, None]
    X[:, 1:][holes] = np.nan
    return X


def samplers(seed: int) -> dict:
    def vae():
        return VAEOverSampler(random_state=seed)

    def smote():
        return SMOTE(random_state=seed)

    return {
        NATIVE: (None, vae),
        "SimpleImputer + SMOTE": (lambda: SimpleImputer(), smote),
        "IterativeImputer + SMOTE": (
            lambda: IterativeImputer(random_state=seed, max_iter=10),
            smote,
        ),
        "SimpleImputer + VAE": (lambda: SimpleImputer(), vae),
        "none": (None, None),
    }


def classifiers() -> dict:
    return {
        "HGB": lambda: HistGradientBoostingClassifier(random_state=0),
        "imputer + LR": lambda: make_pipeline(SimpleImputer(), LogisticRegression(max_iter=1000)),
    }


def gap(new_minority: np.ndarray, real_minority: np.ndarray) -> float:
    """Mean over the columns with holes in the real rows of |new rate - real rate|."""
    real = np.isnan(real_minority).mean(axis=0)
    new = np.isnan(new_minority).mean(axis=0) if len(new_minority) else np.zeros_like(real)
    columns = real > 0
    return float(np.abs(new - real)[columns].mean()) if columns.any() else np.nan


def run_condition(name, X, y, rate, mechanism, seed, progress):
    X_holes = remove_cells(X, rate, mechanism, seed)
    records, gaps, times = [], [], []
    folds = StratifiedKFold(5, shuffle=True, random_state=seed).split(X_holes, y)
    for fold, (train, test) in enumerate(folds):
        scaler = StandardScaler().fit(X_holes[train])
        X_train, X_test = scaler.transform(X_holes[train]), scaler.transform(X_holes[test])
        for sampler_name, (make_imputer, make_sampler) in samplers(seed).items():
            train_rows, test_rows = X_train, X_test
            if make_imputer is not None:
                imputer = make_imputer().fit(X_train)
                train_rows, test_rows = imputer.transform(X_train), imputer.transform(X_test)
            start = time.perf_counter()
            if make_sampler is None:
                X_res, y_res = train_rows, y[train]
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    X_res, y_res = make_sampler().fit_resample(train_rows, y[train])
            if sampler_name == NATIVE:
                times.append(time.perf_counter() - start)
                new = X_res[len(train) :][y_res[len(train) :] == 1]
                gaps.append(
                    {
                        "dataset": name,
                        "mechanism": mechanism,
                        "rate": rate,
                        "fold": fold,
                        "gap": gap(new, X_train[y[train] == 1]),
                    }
                )
            for clf_name, make_clf in classifiers().items():
                clf = make_clf().fit(X_res, y_res)
                predicted = clf.predict(test_rows)
                records.append(
                    {
                        "dataset": name,
                        "mechanism": mechanism,
                        "rate": rate,
                        "fold": fold,
                        "sampler": sampler_name,
                        "classifier": clf_name,
                        "G-mean": geometric_mean_score(y[test], predicted),
                        "F1": f1_score(y[test], predicted, zero_division=0.0),
                        "AP": average_precision_score(y[test], clf.predict_proba(test_rows)[:, 1]),
                    }
                )
        progress.update(1)
    return records, gaps, times


def numeric_sets(keel_dir: Path, quick: bool) -> dict:
    sets = {}
    for path in sorted(keel_dir.glob("*.dat")):
        if quick and path.stem not in QUICK_SETS:
            continue
        X, y = load_keel(path)
        if all(pd.api.types.is_numeric_dtype(d) for d in X.dtypes):
            sets[path.stem] = (X.to_numpy(dtype=float), y)
    return sets


def report(records, gaps, times, args, seconds) -> str:
    frame = pd.DataFrame(records)
    keys = ["dataset", "mechanism", "rate", "classifier"]
    means = frame.groupby([*keys, "sampler"])[list(METRICS)].mean().reset_index()
    ranks = means.copy()
    for metric in METRICS:
        ranks[metric] = means.groupby(keys)[metric].rank(ascending=False)
    lines = [
        "# Missing values: native handling against imputing first",
        "",
        f"Command: `python benchmarks/missing.py{' --quick' if args.quick else ''}` "
        f"({date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"{seconds / 60:.0f} min). Protocol: `benchmarks/missing.py`'s docstring.",
        "",
        f"Data sets ({means['dataset'].nunique()}): {', '.join(sorted(set(means['dataset'])))}."
        f" Missing rates {', '.join(f'{r:.0%}' for r in sorted(frame['rate'].unique()))}; "
        f"mechanisms {', '.join(sorted(frame['mechanism'].unique()))}; "
        "one seed, stratified 5-fold.",
        "",
        "## Mean rank (1 is best) over data sets, mechanisms, rates and both classifiers",
        "",
        "| sampler | "
        + " | ".join(f"{m} rank" for m in METRICS)
        + " | "
        + " | ".join(f"mean {m}" for m in METRICS)
        + " |",
        "| --- |" + " ---: |" * (2 * len(METRICS)),
    ]
    rank_means = ranks.groupby("sampler")[list(METRICS)].mean()
    score_means = means.groupby("sampler")[list(METRICS)].mean()
    for sampler in rank_means.sort_values("G-mean").index:
        cells = [f"{rank_means.loc[sampler, m]:.2f}" for m in METRICS]
        cells += [f"{score_means.loc[sampler, m]:.3f}" for m in METRICS]
        lines.append(f"| {sampler} | " + " | ".join(cells) + " |")
    for by in ("classifier", "mechanism", "rate"):
        lines += ["", f"## Mean rank by {by}", ""]
        table = ranks.groupby([by, "sampler"])[list(METRICS)].mean().reset_index()
        values = sorted(table[by].unique())
        header = " | ".join(
            f"{m} ({v:.0%})" if by == "rate" else f"{m} ({v})" for v in values for m in METRICS
        )
        lines += [f"| sampler | {header} |", "| --- |" + " ---: |" * (len(values) * len(METRICS))]
        for sampler in rank_means.sort_values("G-mean").index:
            cells = []
            for v in values:
                row = table[(table[by] == v) & (table["sampler"] == sampler)]
                cells += [f"{row[m].iloc[0]:.2f}" for m in METRICS]
            lines.append(f"| {sampler} | " + " | ".join(cells) + " |")
    lines += ["", "## Native against each alternative (wins/ties/losses over the cells above)", ""]
    lines += ["| against | " + " | ".join(METRICS) + " |", "| --- |" + " ---: |" * len(METRICS)]
    native = means[means["sampler"] == NATIVE].set_index(keys)
    for other in rank_means.index.drop(NATIVE):
        rival = means[means["sampler"] == other].set_index(keys)
        cells = []
        for m in METRICS:
            diff = (native[m] - rival[m]).round(6)
            cells.append(f"{(diff > 0).sum()}/{(diff == 0).sum()}/{(diff < 0).sum()}")
        lines.append(f"| {other} | " + " | ".join(cells) + " |")
    gap_frame = pd.DataFrame(gaps)
    lines += [
        "",
        "## Missing rates of the new minority rows (native VAE)",
        "",
        "Mean over folds and data sets of the per-column gap |new rate - real rate| (columns "
        "with holes in the class); imputing samplers' new rows have no holes, so their gap "
        "is the real rate itself.",
        "",
        "| mechanism | rate | mean gap | largest data set mean |",
        "| --- | ---: | ---: | ---: |",
    ]
    for (mechanism, rate), group in gap_frame.groupby(["mechanism", "rate"]):
        per_set = group.groupby("dataset")["gap"].mean()
        lines.append(
            f"| {mechanism} | {rate:.0%} | {group['gap'].mean():.3f} | "
            f"{per_set.max():.3f} ({per_set.idxmax()}) |"
        )
    lines += [
        "",
        f"Native VAE fit_resample time per fold: median {np.median(times):.2f} s, "
        f"max {np.max(times):.2f} s.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 sets, 20%% missing")
    parser.add_argument("--data-dir", default=DATA_DIR, help="folder holding keel/")
    parser.add_argument("--keel-dir", help="a folder of KEEL .dat files of your own")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", help="markdown report (default: print only)")
    args = parser.parse_args(argv)
    keel_dir = Path(args.keel_dir or Path(args.data_dir) / "keel")
    sets = numeric_sets(keel_dir, args.quick and not args.keel_dir)
    if not sets:
        raise SystemExit(f"No numeric KEEL .dat files in {keel_dir}; pass --keel-dir.")
    rates = (0.2,) if args.quick else RATES
    conditions = [(r, m) for r in rates for m in MECHANISMS]
    records, gaps, times = [], [], []
    start = time.perf_counter()
    with tqdm(total=len(sets) * len(conditions) * 5, file=sys.stderr) as progress:
        for name, (X, y) in sets.items():
            for rate, mechanism in conditions:
                r, g, t = run_condition(name, X, y, rate, mechanism, args.seed, progress)
                records += r
                gaps += g
                times += t
    text = report(records, gaps, times, args, time.perf_counter() - start)
    print(text)
    if args.output:
        Path(args.output).write_text(text)
        pd.DataFrame(records).to_csv(Path(args.output).with_suffix(".csv"), index=False)


if __name__ == "__main__":
    main()
