"""Categorical columns: native handling against one-hot columns, and memory on a wide table.

    python benchmarks/categorical.py                 # the KEEL sets with categorical columns
    python benchmarks/categorical.py --memory-only   # just the wide-table memory comparison
    python benchmarks/categorical.py --keel-dir DIR  # your own KEEL files

Samplers, on every KEEL set that has categorical columns:

- ``none``;
- ``SMOTE (one-hot)`` and ``VAE (one-hot)``: the quality suite's way, categorical columns
  one-hot encoded first and resampled as numbers (``VAEOverSampler(categorical_features=None)``);
- ``SMOTENC`` (``SMOTEN`` when a set has no numeric column, since SMOTENC refuses those);
- ``VAE (native)``: ``VAEOverSampler()`` on the DataFrame, whose ``category`` columns it
  models with softmax heads, drawing each new category from its head;
- ``VAE (native, prior sample)``: the same with ``latent_sampling="prior"`` and
  ``decoder_output="sample"``, the defaults before the full quality suite chose others;
- ``VAE (native, mean)``: the same with ``decoder_output="mean"``, which takes the most likely
  category (and the numeric means, without noise) instead.

Protocol as ``quality.py``: repeated stratified 5-fold (2 repeats), 3 seeds, numeric columns
standardised on the training fold, the same four classifiers, on the one-hot encoding of the
resampled rows. Fidelity of the generated minority rows, pooled per repeat: the two-sample AUC
of ``quality.py`` on the one-hot rows; the share of generated rows whose categorical part is not
a valid category (one-hot blocks that are not exactly one 1 and zeros); and the total-variation
distance between the category frequencies of generated rows and of held-out real minority rows,
averaged over categorical columns (invalid blocks are read as their largest entry).

Memory: peak resident memory above the baseline of a process that has built a table of
200,000 rows, 5 numeric columns and one 1,000-level categorical column (10% minority), while
SMOTENC and VAEOverSampler each resample it, in separate processes.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from datetime import date
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from tqdm import tqdm

from datasets import DATA_DIR, load_keel
from quality import METRICS, classifiers, fidelity, scores
from vae_oversampler import VAEOverSampler

HERE = Path(__file__).resolve().parent


def samplers(all_categorical):
    """Name -> (factory(seed), input kind): "onehot" arrays or the "frame" with categories."""
    native = (
        (lambda s: SMOTEN(k_neighbors=3, random_state=s))
        if all_categorical
        else (lambda s: SMOTENC(categorical_features="auto", k_neighbors=3, random_state=s))
    )
    return {
        "none": (None, "onehot"),
        "SMOTE (one-hot)": (lambda s: SMOTE(k_neighbors=3, random_state=s), "onehot"),
        "VAE (one-hot)": (
            lambda s: VAEOverSampler(categorical_features=None, random_state=s),
            "onehot",
        ),
        "SMOTENC / SMOTEN": (native, "frame"),
        "VAE (native)": (lambda s: VAEOverSampler(random_state=s), "frame"),
        # The defaults before the full quality suite chose posterior + residual.
        "VAE (native, prior sample)": (
            lambda s: VAEOverSampler(
                latent_sampling="prior", decoder_output="sample", random_state=s
            ),
            "frame",
        ),
        # The most likely category instead of a draw (and numeric means without noise).
        "VAE (native, mean)": (
            lambda s: VAEOverSampler(decoder_output="mean", random_state=s),
            "frame",
        ),
    }


class Fold:
    """One training fold's encoders: numeric columns standardised, categories one-hot."""

    def __init__(self, X_train: pd.DataFrame, categorical: list):
        self.categorical = categorical
        self.numeric = [c for c in X_train.columns if c not in categorical]
        self.scaler = StandardScaler().fit(X_train[self.numeric]) if self.numeric else None
        self.encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        self.encoder.fit(X_train[categorical])
        self.widths = [len(c) for c in self.encoder.categories_]

    def frame(self, X: pd.DataFrame) -> pd.DataFrame:
        out = X.copy()
        if self.numeric:
            out[self.numeric] = self.scaler.transform(X[self.numeric])
        return out

    def onehot(self, frame: pd.DataFrame) -> np.ndarray:
        numeric = (
            frame[self.numeric].to_numpy(float) if self.numeric else np.zeros((len(frame), 0))
        )
        return np.hstack([numeric, self.encoder.transform(frame[self.categorical])])

    def blocks(self, rows: np.ndarray):
        start = len(self.numeric)
        for width in self.widths:
            yield rows[:, start : start + width]
            start += width


def category_fidelity(fold: Fold, generated: np.ndarray, held_out: np.ndarray):
    """Share of generated rows with an invalid categorical part, and the mean total-variation
    distance of category frequencies to the held-out real rows."""
    invalid = np.zeros(len(generated), dtype=bool)
    distances = []
    for new, real in zip(fold.blocks(generated), fold.blocks(held_out), strict=True):
        invalid |= ~(np.isin(new, (0.0, 1.0)).all(axis=1) & (new.sum(axis=1) == 1))
        width = new.shape[1]
        p = np.bincount(new.argmax(axis=1), minlength=width) / max(len(new), 1)
        q = np.bincount(real.argmax(axis=1), minlength=width) / max(len(real), 1)
        distances.append(0.5 * np.abs(p - q).sum())
    return float(invalid.mean()), float(np.mean(distances))


def run_dataset(name, X, y, args, progress):
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    folds = list(
        RepeatedStratifiedKFold(n_splits=5, n_repeats=args.repeats, random_state=0).split(X, y)
    )
    records, fidelity_rows, times = [], [], defaultdict(list)
    for sampler_name, (factory, kind) in samplers(len(categorical) == X.shape[1]).items():
        for seed in [None] if factory is None else range(args.seeds):
            by_repeat = defaultdict(list)
            for number, (train, test) in enumerate(folds):
                fold = Fold(X.iloc[train], categorical)
                train_frame = fold.frame(X.iloc[train])
                X_test = fold.onehot(fold.frame(X.iloc[test]))
                X_in = train_frame if kind == "frame" else fold.onehot(train_frame)
                start = time.perf_counter()
                if factory is None:
                    X_res, y_res = X_in, y[train]
                else:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        X_res, y_res = factory(seed).fit_resample(X_in, y[train])
                times[sampler_name].append(time.perf_counter() - start)
                X_res = fold.onehot(X_res) if kind == "frame" else X_res
                for clf_name, make in classifiers().items():
                    clf = make().fit(X_res, y_res)
                    row = scores(y[test], clf.predict(X_test), clf.predict_proba(X_test), [0, 1])
                    records.append(
                        {"dataset": name, "classifier": clf_name, "sampler": sampler_name}
                        | {"seed": seed, **row}
                    )
                new = X_res[len(train) :][y_res[len(train) :] == 1]
                held_out = X_test[y[test] == 1]
                by_repeat[number // 5].append(
                    (new, held_out, fold.onehot(train_frame)[y[train] == 1], fold)
                )
                progress.update(1)
            if factory is None:
                continue
            for repeat in by_repeat.values():
                auc, copies, _ = fidelity([r[:3] for r in repeat], seed)
                pairs = [category_fidelity(r[3], r[0], r[1]) for r in repeat]
                fidelity_rows.append(
                    {"dataset": name, "sampler": sampler_name, "seed": seed, "AUC": auc}
                    | {"copies": copies, "invalid": np.mean([p[0] for p in pairs])}
                    | {"TVD": np.mean([p[1] for p in pairs])}
                )
    return records, fidelity_rows, times


MEMORY_SCRIPT = """
import os, resource, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, pandas as pd
from imblearn.over_sampling import SMOTENC
from vae_oversampler import VAEOverSampler
rng = np.random.RandomState(0)
n = 200_000
X = pd.DataFrame(rng.normal(size=(n, 5)), columns=[f"x{i}" for i in range(5)])
X["level"] = pd.Categorical(rng.randint(0, 1000, n).astype(str))
y = (rng.rand(n) < 0.1).astype(int)
import tensorflow  # the framework's baseline is paid before measuring
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
base = rss()
sampler = {"SMOTENC": lambda: SMOTENC(categorical_features=[5], random_state=0),
           "VAEOverSampler": lambda: VAEOverSampler(random_state=0)}[sys.argv[1]]()
import time
start = time.perf_counter()
X_res, y_res = sampler.fit_resample(X, y)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
data = X.memory_usage(deep=True).sum() / 2**20
print(f"{peak - base:.0f} {seconds:.1f} {data:.0f}")
"""


def peak_memory():
    """MiB above the baseline, seconds and the table's size, per sampler, in fresh processes."""
    results = {}
    for name in ["SMOTENC", "VAEOverSampler"]:
        done = subprocess.run(
            [sys.executable, "-c", MEMORY_SCRIPT, name], capture_output=True, text=True
        )
        if done.returncode != 0:
            results[name] = f"failed: {done.stderr.strip().splitlines()[-1]}"
            continue
        growth, seconds, data = done.stdout.split()[-3:]
        results[name] = (float(growth), float(seconds), float(data))
    return results


def report(records, fidelity_rows, times, memory, args, seconds):
    lines = [
        "# Categorical columns: native handling against one-hot",
        "",
        f"Command: `{' '.join(['python benchmarks/categorical.py', *sys.argv[1:]])}` "
        f"({date.today()}, {seconds / 60:.0f} min). Machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, CPU only. Protocol: see the docstring of "
        "`benchmarks/categorical.py`.",
        "",
    ]
    if records:
        frame = pd.DataFrame(records)
        frame["seed"] = frame["seed"].fillna(-1)
        keys = ["dataset", "classifier", "sampler"]
        per_seed = frame.groupby([*keys, "seed"])[METRICS].mean()
        mean = per_seed.groupby(keys).mean()
        spread = per_seed.groupby(keys).std().fillna(0.0)
        names = list(dict.fromkeys(frame["sampler"]))
        ranks = mean.groupby(["dataset", "classifier"]).rank(ascending=False)
        mean_ranks = ranks.groupby("sampler").mean()
        lines += [
            f"Data sets: {', '.join(sorted(frame['dataset'].unique()))}; "
            f"{args.repeats}x stratified 5-fold, {args.seeds} seeds.",
            "",
            "## Mean ranks (1 is best) over data set x classifier pairs, and scores",
            "",
            "| sampler | rank G-mean | rank F1 | G-mean | F1 | AP | fit_resample s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name in names:
            scores_ = mean.xs(name, level="sampler")
            cells = [
                f"{mean_ranks.loc[name, 'G-mean']:.2f}",
                f"{mean_ranks.loc[name, 'F1']:.2f}",
            ] + [
                f"{scores_[m].mean():.3f} (±{spread.xs(name, level='sampler')[m].mean():.3f})"
                for m in ["G-mean", "F1", "AP"]
            ]
            lines.append(f"| {name} | {' | '.join(cells)} | {np.median(times[name]):.3f} |")
        lines += ["", "## G-mean per data set (mean over classifiers and seeds)", ""]
        by_set = mean["G-mean"].groupby(["dataset", "sampler"]).mean().unstack()[names]
        lines += ["| data set | " + " | ".join(names) + " |"]
        lines += ["| --- |" + " ---: |" * len(names)]
        for dataset, row in by_set.iterrows():
            lines.append(f"| {dataset} | " + " | ".join(f"{v:.3f}" for v in row) + " |")
    if fidelity_rows:
        fid = pd.DataFrame(fidelity_rows).groupby(["dataset", "sampler"]).mean(numeric_only=True)
        lines += [
            "",
            "## Fidelity of generated minority rows",
            "",
            "Two-sample AUC on one-hot rows (0.5 is perfect); invalid: share of rows whose "
            "categorical part is not a category; TVD: total-variation distance of category "
            "frequencies to held-out real minority rows.",
            "",
            "| data set | sampler | two-sample AUC | invalid | TVD | copies |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for (dataset, name), row in fid.iterrows():
            lines.append(
                f"| {dataset} | {name} | {row['AUC']:.3f} | {row['invalid']:.3f} "
                f"| {row['TVD']:.3f} | {row['copies']:.3f} |"
            )
    if memory:
        lines += [
            "",
            "## Peak memory on a wide categorical table",
            "",
            "200,000 rows, 5 numeric columns and one 1,000-level categorical column, 10% "
            "minority; resident memory above the process's baseline (with TensorFlow "
            "imported), one fresh process per sampler.",
            "",
            "| sampler | peak growth MiB | seconds | table MiB |",
            "| --- | ---: | ---: | ---: |",
        ]
        for name, value in memory.items():
            if isinstance(value, str):
                lines.append(f"| {name} | {value} | | |")
            else:
                lines.append(f"| {name} | {value[0]:.0f} | {value[1]:.1f} | {value[2]:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default=DATA_DIR)
    parser.add_argument("--keel-dir", help="a directory of KEEL .dat files of your own")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--out", default=HERE.parent / "docs" / "benchmarks_categorical.md")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    records, fidelity_rows, times = [], [], defaultdict(list)
    if not args.memory_only:
        keel_dir = Path(args.keel_dir or Path(args.data_dir) / "keel")
        data = {}
        for path in sorted(keel_dir.glob("*.dat")):
            X, y = load_keel(path)
            if any(isinstance(d, pd.CategoricalDtype) for d in X.dtypes):
                data[path.stem] = (X, y)
        per_set = sum(
            1 if factory is None else args.seeds for factory, _ in samplers(False).values()
        )
        n_runs = len(data) * 5 * args.repeats * per_set
        with tqdm(total=n_runs, desc="fit_resample runs") as progress:
            for name, (X, y) in data.items():
                progress.set_postfix_str(name)
                r, f, t = run_dataset(name, X, y, args, progress)
                records += r
                fidelity_rows += f
                for key, values in t.items():
                    times[key] += values
    memory = {} if args.no_memory else peak_memory()
    text = report(records, fidelity_rows, times, memory, args, time.perf_counter() - start)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
