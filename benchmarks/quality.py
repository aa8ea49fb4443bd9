"""Quality benchmark: VAEOverSampler against SMOTE and friends on real imbalanced data.

    python benchmarks/quality.py --quick          # a few KEEL sets, under 10 minutes
    python benchmarks/quality.py                  # every KEEL set, glass, satimage and
                                                  # 3 sets built from scikit-learn's data
    python benchmarks/quality.py --cache benchmarks/scores   # reuse the committed scores
                                                  # of each set and sampler: only the
                                                  # missing ones run
    python benchmarks/quality.py --keel-dir DIR   # your own directory of KEEL .dat files
    python benchmarks/quality.py --csv FILE --target COLUMN

Protocol: repeated stratified 5-fold with the same folds for every sampler. In each training
fold a StandardScaler is fitted, the sampler resamples the scaled rows once per seed, and each
classifier is fitted on that output: the same as an imblearn Pipeline(StandardScaler, sampler,
classifier) per classifier, with the resampling shared between classifiers. Scores are averaged
over folds, then over seeds; the seed spread is the standard deviation of the per-seed means.

Fidelity (binary sets): generated minority rows from each training fold against the real
minority rows of that fold's held-out part, which the sampler never saw, pooled over the five
folds of a repeat (each fold's generated rows sub-sampled to its held-out count): the
cross-validated ROC AUC of a random forest that tells them apart (0.5 is perfect),
the share of generated rows that copy a training row exactly, and the distance of each
generated row to its closest training row of the class divided by the median distance between
real rows of the class and their nearest neighbour (median over rows).
"""

import argparse
import json
import os
import pickle
import platform
import re
import sys
import time
import warnings
from collections import defaultdict
from datetime import date
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd
from imblearn.metrics import geometric_mean_score
from imblearn.over_sampling import ADASYN, SMOTE, BorderlineSMOTE, RandomOverSampler
from scipy.stats import wilcoxon
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, balanced_accuracy_score, f1_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler, label_binarize
from sklearn.tree import DecisionTreeClassifier
from tqdm import tqdm

from datasets import (
    DATA_DIR,
    load_csv,
    load_glass,
    load_keel,
    load_satimage,
    load_sklearn_sets,
    numeric,
)
from vae_oversampler import VAEOverSampler
from vae_oversampler.metrics import copy_share, distance_ratio, two_sample_auc

QUICK_SETS = ["ecoli3", "glass6", "new_thyroid1", "yeast4"]
DEFAULT_NAME = "VAE (defaults)"
SKLEARN = "sklearn "
METRICS = ["G-mean", "F1", "AP", "balanced accuracy"]
# Classes with fewer training rows than this get their own rank table.
SMALL_CLASS = 30


class SmoteVariant:
    """A smote-variants over-sampler (``name``, with its defaults) behind ``fit_resample``:
    binary sets directly, multi-class ones through its ``MulticlassOversampling``, which grows
    each smaller class to the majority's count in turn. Both put the caller's rows first."""

    def __init__(self, name: str, random_state: int):
        self.name, self.random_state = name, random_state

    def fit_resample(self, X, y):
        import logging

        import smote_variants as sv

        logging.getLogger("smote_variants").setLevel(logging.WARNING)
        params = {"random_state": self.random_state}
        if len(np.unique(y)) == 2:
            return getattr(sv, self.name)(**params).sample(X, y)
        multiclass = sv.MulticlassOversampling(oversampler=self.name, oversampler_params=params)
        return multiclass.sample(X, y)


def samplers(extra_vae=()):
    """Name -> factory(seed). ``None`` means no resampling (run once, not per seed).

    ``extra_vae`` holds dicts of VAEOverSampler parameters to compare as more variants.
    """
    extra = {
        "VAE " + ", ".join(f"{k}={v}" for k, v in params.items()): (
            lambda s, p=params: VAEOverSampler(**p, random_state=s)
        )
        for params in extra_vae
    }
    return {
        "none": None,
        "ROS": lambda s: RandomOverSampler(random_state=s),
        "ROS shrinkage": lambda s: RandomOverSampler(shrinkage=1.0, random_state=s),
        "SMOTE": lambda s: SMOTE(k_neighbors=3, random_state=s),
        "BorderlineSMOTE": lambda s: BorderlineSMOTE(k_neighbors=3, random_state=s),
        "ADASYN": lambda s: ADASYN(n_neighbors=3, random_state=s),
        # The two best of Kovacs's 2019 comparison of 85 over-samplers on 104 data sets.
        "polynom-fit-SMOTE (star)": lambda s: SmoteVariant("polynom_fit_SMOTE_star", s),
        "ProWSyn": lambda s: SmoteVariant("ProWSyn", s),
        DEFAULT_NAME: lambda s: VAEOverSampler(random_state=s),
        "VAE prior sample": lambda s: VAEOverSampler(
            latent_sampling="prior", decoder_output="sample", random_state=s
        ),
        "VAE posterior sample": lambda s: VAEOverSampler(
            latent_sampling="posterior", decoder_output="sample", random_state=s
        ),
        "VAE interpolate sample": lambda s: VAEOverSampler(
            latent_sampling="interpolate", decoder_output="sample", random_state=s
        ),
        **extra,
    }


def classifiers():
    return {
        "LR": lambda: LogisticRegression(max_iter=1000),
        "KNN": lambda: KNeighborsClassifier(5),
        "DT": lambda: DecisionTreeClassifier(random_state=0),
        "HGB": lambda: HistGradientBoostingClassifier(random_state=0),
    }


def scores(y_true, predicted, proba, classes):
    binary = len(classes) == 2
    if binary:
        ap = average_precision_score(y_true, proba[:, 1], pos_label=classes[1])
        f1 = f1_score(y_true, predicted, pos_label=classes[1])
    else:
        ap = average_precision_score(label_binarize(y_true, classes=classes), proba)
        f1 = f1_score(y_true, predicted, average="macro")
    return {
        "G-mean": geometric_mean_score(y_true, predicted, average="multiclass"),
        "F1": f1,
        "AP": ap,
        "balanced accuracy": balanced_accuracy_score(y_true, predicted),
    }


def fidelity(folds, seed):
    """Two-sample AUC, exact-copy share and relative distance to the closest training row.

    ``folds`` holds, per training fold, ``(generated, held_out, train_minority)``. The AUC
    pools the folds: each fold's generated rows are sub-sampled to its held-out count. The
    measures are :mod:`vae_oversampler.metrics`'s, on the fold's standardised columns.
    """
    rng = np.random.RandomState(seed)
    fake, real, copies, dcr = [], [], [], []
    folds = [fold for fold in folds if len(fold[0])]  # ADASYN may grow nothing
    if not folds:
        return np.nan, np.nan, np.nan
    for generated, held_out, train_minority in folds:
        n = min(len(generated), len(held_out))
        fake.append(generated[rng.choice(len(generated), n, replace=False)])
        real.append(held_out[rng.choice(len(held_out), n, replace=False)])
        copies.append(copy_share(train_minority, generated))
        dcr.append(np.median(distance_ratio(train_minority, generated, standardize=False)))
    auc = two_sample_auc(np.vstack(real), np.vstack(fake), random_state=seed)
    return auc, float(np.mean(copies)), float(np.nanmean(dcr))


def resample(sampler, X, y):
    """``sampler.fit_resample(X, y)``; when ADASYN refuses (no other class among the
    neighbours of a class's rows, so nothing to weigh), the rows as they are."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return sampler.fit_resample(X, y)
        except (ValueError, RuntimeError) as error:
            if not any(m in str(error) for m in ("No samples will", "Not any neigbours")):
                raise
            return X, y


def run_dataset(name, X, y, args, progress, only=None):
    """Scores, fidelity rows and times of every sampler (of those named in ``only``)."""
    classes = np.unique(y)
    minority = classes[np.argmin([np.sum(y == c) for c in classes])]
    folds = list(
        RepeatedStratifiedKFold(n_splits=5, n_repeats=args.repeats, random_state=0).split(X, y)
    )
    records, fidelity_rows, times = [], [], defaultdict(list)
    for sampler_name, factory in samplers(args.vae).items():
        if only is not None and sampler_name not in only:
            continue
        seeds = [None] if factory is None else list(range(args.seeds))
        for seed in seeds:
            by_repeat = defaultdict(list)
            for fold, (train, test) in enumerate(folds):
                scaler = StandardScaler().fit(X[train])
                X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
                start = time.perf_counter()
                if factory is None:
                    X_res, y_res = X_train, y[train]
                else:
                    X_res, y_res = resample(factory(seed), X_train, y[train])
                times[sampler_name].append(time.perf_counter() - start)
                for clf_name, make_clf in classifiers().items():
                    clf = make_clf().fit(X_res, y_res)
                    row = scores(y[test], clf.predict(X_test), clf.predict_proba(X_test), classes)
                    records.append(
                        {
                            "dataset": name,
                            "classifier": clf_name,
                            "sampler": sampler_name,
                            "seed": seed,
                            "fold": fold,
                            **row,
                        }
                    )
                new_minority = X_res[len(train) :][y_res[len(train) :] == minority]
                by_repeat[fold // 5].append(
                    (new_minority, X_test[y[test] == minority], X_train[y[train] == minority])
                )
                progress.update(1)
            if factory is None or len(classes) != 2:
                continue
            for folds_of_repeat in by_repeat.values():
                auc, copies, dcr = fidelity(folds_of_repeat, seed)
                fidelity_rows.append(
                    {
                        "dataset": name,
                        "sampler": sampler_name,
                        "seed": seed,
                        "AUC": auc,
                        "copies": copies,
                        "DCR": dcr,
                    }
                )
    return records, fidelity_rows, times


def cache_name(dataset: str) -> str:
    """A portable file name for a data set's scores: letters, digits, '-' and '_' only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", dataset).strip("_") + ".pkl"


def load_all(args):
    data = {}
    if args.csv:
        X, y = load_csv(args.csv, args.target)
        return {Path(args.csv).stem: (numeric(X), y)}
    keel_dir = Path(args.keel_dir or Path(args.data_dir) / "keel")
    files = sorted(keel_dir.glob("*.dat"))
    if not files:
        raise SystemExit(
            f"No KEEL .dat files in {keel_dir}. Pass --data-dir (a folder holding keel/ and "
            "uci/), --keel-dir or --csv, or set VAE_OVERSAMPLER_DATA."
        )
    if args.quick and not args.keel_dir:
        files = [f for f in files if f.stem in QUICK_SETS]
    for path in files:
        X, y = load_keel(path)
        data[path.stem] = (numeric(X), y)
    if not args.quick and not args.keel_dir:
        X, y = load_glass(args.data_dir)
        data["glass (multi-class)"] = (numeric(X), y)
        X, y = load_satimage(args.data_dir)
        data["satimage (multi-class)"] = (numeric(X), y)
        data.update(load_sklearn_sets())
    return data


def paired(mean, spread, name, other, metric):
    """``(wins, ties, losses, differences, Wilcoxon p)`` of sampler ``name`` against
    ``other`` over data set x classifier pairs; a difference within the larger of the two
    seed spreads is a tie."""
    a = mean.xs(name, level="sampler")[metric]
    b = mean.xs(other, level="sampler")[metric]
    tol = np.maximum(
        spread.xs(name, level="sampler")[metric], spread.xs(other, level="sampler")[metric]
    )
    diff = a - b
    wins, losses = int((diff > tol).sum()), int((diff < -tol).sum())
    p = wilcoxon(diff).pvalue if (diff != 0).any() else 1.0
    return wins, len(diff) - wins - losses, losses, diff, p


def summarise(records, fidelity_rows, times, args, seconds, n_cached=0, small_sets=()):
    frame = pd.DataFrame(records)
    frame["seed"] = frame["seed"].fillna(-1)
    per_seed = frame.groupby(["dataset", "classifier", "sampler", "seed"])[METRICS].mean()
    mean = per_seed.groupby(["dataset", "classifier", "sampler"]).mean()
    spread = per_seed.groupby(["dataset", "classifier", "sampler"]).std().fillna(0.0)
    names = list(samplers(args.vae))
    lines = [
        "# Quality benchmark" + (" (quick protocol)" if args.quick else ""),
        "",
        f"Command: `python benchmarks/quality.py {' '.join(sys.argv[1:])}` "
        f"({date.today()}, {seconds / 60:.0f} min"
        + (
            f"; {n_cached} data set x sampler scores read from --cache, their time not counted"
            if n_cached
            else ""
        )
        + f"). Machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, CPU only.",
        "",
        f"Data sets ({mean.index.get_level_values(0).nunique()}): "
        + ", ".join(sorted(mean.index.get_level_values(0).unique()))
        + ". "
        f"Protocol: {args.repeats}x repeated stratified 5-fold, {args.seeds} seeds per "
        "randomised sampler; see the docstring of `benchmarks/quality.py`.",
        "",
        "## Mean ranks (1 is best), over data set x classifier pairs",
        "",
        "| sampler | " + " | ".join(METRICS) + " | fit_resample s (median) |",
        "| --- | " + " | ".join("---:" for _ in METRICS) + " | ---: |",
    ]
    ranks = mean.groupby(["dataset", "classifier"]).rank(ascending=False)
    mean_ranks = ranks.groupby("sampler").mean()
    for name in names:
        cells = " | ".join(f"{mean_ranks.loc[name, m]:.2f}" for m in METRICS)
        lines.append(f"| {name} | {cells} | {np.median(times[name]):.3f} |")
    outside = [d for d in mean.index.get_level_values(0).unique() if d.startswith(SKLEARN)]
    if outside:
        lines += ["", "## Mean ranks on data not in shared/ (shipped with scikit-learn)", ""]
        lines += [
            ", ".join(outside) + ": see `load_sklearn_sets` in `benchmarks/datasets.py`.",
            "",
        ]
        lines += ["| sampler | " + " | ".join(METRICS) + " |"]
        lines += ["| --- | " + " | ".join("---:" for _ in METRICS) + " |"]
        outside_ranks = ranks.loc[outside].groupby("sampler").mean()
        for name in names:
            cells = " | ".join(f"{outside_ranks.loc[name, m]:.2f}" for m in METRICS)
            lines.append(f"| {name} | {cells} |")
    lines += ["", f"## {DEFAULT_NAME} against SMOTE, per data set x classifier pair", ""]
    lines += ["A difference smaller than the larger seed spread of the two counts as a tie.", ""]
    lines += ["| metric | wins | ties | losses | mean difference | Wilcoxon p |"]
    lines += ["| --- | ---: | ---: | ---: | ---: | ---: |"]
    for metric in METRICS:
        wins, ties, losses, diff, p = paired(mean, spread, DEFAULT_NAME, "SMOTE", metric)
        lines.append(f"| {metric} | {wins} | {ties} | {losses} | {diff.mean():+.4f} | {p:.3g} |")
    lines += ["", f"## {DEFAULT_NAME} against each sampler", ""]
    lines += [
        "Wins/ties/losses over data set x classifier pairs (a difference smaller than the "
        "larger seed spread of the two is a tie), then the Wilcoxon signed-rank p of the "
        "paired differences.",
        "",
    ]
    lines += ["| against | " + " | ".join(METRICS) + " |"]
    lines += ["| --- | " + " | ".join("---:" for _ in METRICS) + " |"]
    for other in [n for n in names if n != DEFAULT_NAME]:
        cells = []
        for metric in METRICS:
            wins, ties, losses, _, p = paired(mean, spread, DEFAULT_NAME, other, metric)
            cells.append(f"{wins}/{ties}/{losses} (p {p:.2g})")
        lines.append(f"| {other} | " + " | ".join(cells) + " |")
    small = [d for d in mean.index.get_level_values(0).unique() if d in small_sets]
    if small:
        lines += ["", f"## Mean ranks on classes of fewer than {SMALL_CLASS} training rows", ""]
        lines += [
            f"Data sets whose smallest class has fewer than {SMALL_CLASS} rows in a training "
            f"fold ({len(small)}): " + ", ".join(small) + ".",
            "",
        ]
        lines += ["| sampler | " + " | ".join(METRICS) + " |"]
        lines += ["| --- | " + " | ".join("---:" for _ in METRICS) + " |"]
        small_ranks = ranks.loc[small].groupby("sampler").mean()
        for name in names:
            cells = " | ".join(f"{small_ranks.loc[name, m]:.2f}" for m in METRICS)
            lines.append(f"| {name} | {cells} |")
    if fidelity_rows:
        fid = pd.DataFrame(fidelity_rows).groupby(["sampler", "seed"]).mean(numeric_only=True)
        fid_mean = fid.groupby("sampler").mean()
        fid_spread = fid.groupby("sampler").std().fillna(0.0)
        lines += ["", "## Fidelity of generated minority rows (binary sets)", ""]
        lines += [
            "Two-sample AUC: 0.5 means a random forest cannot tell generated rows from "
            "held-out real ones. Copies: share of generated rows equal to a training row. "
            "DCR: median distance to the closest training row over the median "
            "nearest-neighbour distance among real rows.",
            "",
        ]
        lines += ["| sampler | two-sample AUC (seed spread) | copies | DCR |"]
        lines += ["| --- | ---: | ---: | ---: |"]
        for name in [n for n in names if n in fid_mean.index]:
            lines.append(
                f"| {name} | {fid_mean.loc[name, 'AUC']:.3f} ({fid_spread.loc[name, 'AUC']:.3f})"
                f" | {fid_mean.loc[name, 'copies']:.3f} | {fid_mean.loc[name, 'DCR']:.2f} |"
            )
    lines += ["", "## Per data set G-mean (mean over classifiers and seeds)", ""]
    by_set = mean["G-mean"].groupby(["dataset", "sampler"]).mean().unstack()[names]
    lines.append("| data set | " + " | ".join(names) + " |")
    lines.append("| --- | " + " | ".join("---:" for _ in names) + " |")
    for dataset, row in by_set.iterrows():
        lines.append(f"| {dataset} | " + " | ".join(f"{v:.3f}" for v in row) + " |")
    return "\n".join(lines) + "\n", mean_ranks


def rank_plot(mean_ranks, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    order = mean_ranks["G-mean"].sort_values().index
    y = np.arange(len(order))
    ax.barh(y - 0.2, mean_ranks.loc[order, "G-mean"], height=0.4, label="G-mean")
    ax.barh(y + 0.2, mean_ranks.loc[order, "F1"], height=0.4, label="F1")
    ax.set_yticks(y, order)
    ax.invert_yaxis()
    ax.set_xlabel("mean rank (lower is better)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="four KEEL sets, one repeat")
    parser.add_argument("--data-dir", default=DATA_DIR)
    parser.add_argument("--keel-dir", help="a directory of KEEL .dat files of your own")
    parser.add_argument("--csv", help="a CSV file of your own (with --target)")
    parser.add_argument("--target", help="the class column of --csv")
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--vae",
        type=json.loads,
        action="append",
        default=[],
        help="another VAEOverSampler variant, as JSON parameters: --vae '{\"beta\": 0.5}'",
    )
    parser.add_argument(
        "--exclude",
        nargs="+",
        default=[],
        help="leave out the data sets whose name contains any of these strings",
    )
    parser.add_argument(
        "--cache",
        help="a directory keeping each data set's raw scores per sampler: a rerun runs only "
        "the samplers a set lacks",
    )
    parser.add_argument("--out", default=Path(__file__).resolve().parents[1] / "docs")
    args = parser.parse_args(argv)
    args.repeats = args.repeats or (1 if args.quick else 2)

    data = {
        name: value
        for name, value in load_all(args).items()
        if not any(part in name for part in args.exclude)
    }
    wanted = samplers(args.vae)
    runs = {
        name: 5 * args.repeats * (1 if f is None else args.seeds) for name, f in wanted.items()
    }
    start = time.perf_counter()
    records, fidelity_rows, times = [], [], defaultdict(list)
    n_cached = 0
    with tqdm(total=sum(runs.values()) * len(data), desc="fit_resample runs") as progress:
        for name, (X, y) in data.items():
            progress.set_postfix_str(name)
            cached = Path(args.cache) / cache_name(name) if args.cache else None
            r, f, t = [], [], {}
            if cached is not None and cached.exists():
                r, f, t = pickle.loads(cached.read_bytes())
            # A cache holds whole samplers: run only those it lacks, keep only those wanted.
            done = {record["sampler"] for record in r}
            missing = [sampler for sampler in wanted if sampler not in done]
            progress.update(sum(runs[sampler] for sampler in wanted if sampler in done))
            if missing:
                new_r, new_f, new_t = run_dataset(name, X, y, args, progress, only=missing)
                r, f, t = r + new_r, f + new_f, {**t, **new_t}
                if cached is not None:
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    cached.write_bytes(pickle.dumps((r, f, dict(t))))
            n_cached += len(wanted) - len(missing)
            records += [record for record in r if record["sampler"] in wanted]
            fidelity_rows += [row for row in f if row["sampler"] in wanted]
            for key, values in t.items():
                if key in wanted:
                    times[key] += values
    small_sets = [
        name
        for name, (_, y) in data.items()
        if np.unique(y, return_counts=True)[1].min() * 4 / 5 < SMALL_CLASS
    ]
    report, mean_ranks = summarise(
        records, fidelity_rows, times, args, time.perf_counter() - start, n_cached, small_sets
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "_quick" if args.quick else ""
    rank_plot(mean_ranks, out / f"benchmark_ranks{suffix}.png")
    report += f"\n![mean ranks](benchmark_ranks{suffix}.png)\n"
    (out / f"benchmarks{suffix}.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
