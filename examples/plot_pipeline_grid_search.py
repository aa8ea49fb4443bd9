"""
Choosing the over-sampler by grid search
========================================

An over-sampler is one more step of a model, so it can be chosen the way a classifier's ``C``
is: by cross-validation. This example puts ``VAEOverSampler`` and ``SMOTE`` in the same
imbalanced-learn ``Pipeline`` and lets ``GridSearchCV`` pick between them, and between two
values of the VAE's ``beta``, on F1 and balanced accuracy at once.
"""

# %%
# An imbalanced problem
# ---------------------
# 600 rows and 20 features from ``make_classification``, about 7% of the rows in the
# positive class.
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from vae_oversampler import VAEOverSampler

X, y = make_classification(n_samples=600, weights=[0.93], random_state=0)
print("class counts:", dict(sorted(Counter(y.tolist()).items())))

# %%
# The sampler as a parameter of the grid
# --------------------------------------
# The pipeline scales, resamples, then fits a logistic regression. The ``"sampler"`` step is
# itself a parameter: ``"passthrough"`` (no resampling), ``SMOTE``, or ``VAEOverSampler``.
# ``beta`` (the weight of the KL term) only makes sense for the VAE, so the grid is a list of
# two dicts, and ``sampler__beta`` appears only in the VAE's. That makes four candidates:
# no resampling, SMOTE, and the VAE with ``beta=0.25`` and with its default ``beta=1.0``.
# The VAE keeps all its other defaults.
#
# imbalanced-learn's ``Pipeline`` calls ``fit_resample`` only while *fitting*: in each fold,
# the sampler sees the training part alone (two thirds of the rows), adds rows to it, and the
# classifier is scored on the untouched validation part. Predicting never resamples, so no
# generated row leaks into a score. Every candidate that uses the VAE trains a fresh VAE on
# each training fold's minority rows: 2 candidates x 3 folds = 6 VAEs, plus one more if the
# VAE wins and is refitted on all the rows.
pipeline = Pipeline(
    [
        ("scale", StandardScaler()),
        ("sampler", "passthrough"),
        ("clf", LogisticRegression()),
    ]
)
param_grid = [
    {"sampler": ["passthrough", SMOTE(random_state=0)]},
    {"sampler": [VAEOverSampler(random_state=0)], "sampler__beta": [0.25, 1.0]},
]
search = GridSearchCV(
    pipeline,
    param_grid,
    scoring={"f1": "f1", "balanced_accuracy": "balanced_accuracy"},
    refit="balanced_accuracy",
    cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=0),
)
search.fit(X, y)

# %%
# The cross-validated scores
# --------------------------
# ``cv_results_`` holds one row per candidate, with the mean and standard deviation of each
# score over the three validation folds. Below: those columns, the rank on balanced accuracy
# (the refit metric) and the mean seconds to fit the pipeline on a training fold.
results = pd.DataFrame(search.cv_results_)


def candidate_name(params):
    sampler = params["sampler"]
    if sampler == "passthrough":
        return "no resampling"
    if isinstance(sampler, VAEOverSampler):
        return f"VAE, beta={params['sampler__beta']}"
    return type(sampler).__name__


results["candidate"] = [candidate_name(p) for p in results["params"]]
columns = {
    "mean_test_f1": "F1",
    "std_test_f1": "F1 std",
    "mean_test_balanced_accuracy": "bal. acc.",
    "std_test_balanced_accuracy": "bal. acc. std",
    "rank_test_balanced_accuracy": "rank",
    "mean_fit_time": "fit s",
}
table = results.set_index("candidate")[list(columns)]
with pd.option_context("display.width", 120, "display.precision", 3):
    print(table.rename(columns=columns))

# %%
# How to read it. Over-sampling trades precision for recall: the classifier, trained on a
# balanced sample, flags more rows as positive. Balanced accuracy, which rewards recall of the
# rare class, can rise; F1, which also pays for every false positive, can fall. That is what
# happens here: SMOTE has the best balanced accuracy (0.895 against 0.860 with no
# resampling) and no resampling the best F1 (0.826 against 0.681 for SMOTE). The two VAE
# candidates are about level with no resampling on balanced accuracy, below SMOTE, and have
# the lowest F1 of the four; ``beta`` barely matters. With about 14 positive rows per
# validation fold, differences of the size of the standard deviations are noise, but on this
# data the grid search's honest answer is SMOTE (or, if F1 is what counts, no resampling at
# all), and SMOTE fits in milliseconds where each VAE takes a second or two
# (``mean_fit_time``; the first VAE also pays for TensorFlow's start-up). The VAE's rows can
# differ in the last digits on another machine or TensorFlow version, so its scores can move
# by a few hundredths; the other two rows depend on scikit-learn and imbalanced-learn only.
#
# The chart shows the same numbers.
fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
width = 0.38
positions = np.arange(len(table))
for offset, (metric, label) in zip(
    (-width / 2, width / 2),
    [("f1", "F1"), ("balanced_accuracy", "balanced accuracy")],
    strict=True,
):
    ax.bar(
        positions + offset,
        table[f"mean_test_{metric}"],
        width,
        yerr=table[f"std_test_{metric}"],
        capsize=4,
        label=label,
    )
ax.set_xticks(positions, table.index)
ax.set(
    ylim=(0, 1.15),
    ylabel="mean score over 3 validation folds",
    title="Grid search over the sampler step (error bars: std over folds)",
)
ax.legend(loc="upper center", ncols=2)

# %%
# The refitted best pipeline
# --------------------------
# ``refit="balanced_accuracy"`` refits the candidate with the best mean balanced accuracy on
# all 600 rows. Its sampler step reports how many rows it added during that refit; predicting
# goes straight from the scaler to the classifier, one prediction per input row.
best = search.best_estimator_
print("best candidate:", candidate_name(search.best_params_))
sampler = best.named_steps["sampler"]
if sampler != "passthrough":
    added = {int(label): int(n) for label, n in sampler.sampling_strategy_.items()}
    print("rows added during the refit:", added)
print("predictions for the 600 rows:", best.predict(X).shape)
