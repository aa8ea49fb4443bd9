"""
Over-sampling a table with missing values, no imputer needed
============================================================

SMOTE computes distances between rows, so a table with holes has to be imputed first, and
the new rows then have none: the imputer's guesses become part of the minority class.
``VAEOverSampler`` takes the holes as they are: NaN in float columns, ``pd.NA`` in pandas'
nullable ``Int64`` and ``boolean`` columns, NaN or ``None`` in categorical ones. Each class
with holes gets a missingness indicator per column; new rows get holes at the class's own
rates. This example checks that, and whether it helps a classifier that reads missing
values natively, scikit-learn's ``HistGradientBoostingClassifier``.
"""

# %%
# A customer table with holes
# ---------------------------
# 1,200 customers, about 8% of whom churn (``y == 1``); churners spend more, visit more and
# prefer the phone channel and the "pro" plan. Then holes are punched into every column, in
# each column's own way: NaN in the float ``amount``, ``pd.NA`` in the nullable integer
# ``visits`` and boolean ``newsletter``, NaN in the ``category`` column ``channel``, and
# ``None`` in the ``object`` column ``plan``. Some records are partial: they lack both
# ``amount`` and ``channel``, and churners have more of them, so the holes carry some signal.
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.pipeline import make_pipeline
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.preprocessing import OrdinalEncoder

from vae_oversampler import VAEOverSampler

rng = np.random.default_rng(0)
n = 1200
y = (rng.random(n) < 0.08).astype(int)
churn = y == 1
channels, plans = ["web", "shop", "phone"], ["basic", "plus", "pro"]
channel = np.where(
    churn,
    rng.choice(channels, n, p=[0.2, 0.2, 0.6]),
    rng.choice(channels, n, p=[0.6, 0.3, 0.1]),
)
amount = np.where(churn, rng.gamma(4.0, 25.0, n), rng.gamma(2.0, 20.0, n))
amount *= np.where(channel == "phone", 1.8, 1.0)
X = pd.DataFrame(
    {
        "amount": amount.round(2),
        "visits": pd.array(np.where(churn, rng.poisson(6, n), rng.poisson(3, n)), dtype="Int64"),
        "channel": pd.Categorical(channel, categories=channels),
        "plan": pd.Series(
            np.where(
                churn,
                rng.choice(plans, n, p=[0.2, 0.3, 0.5]),
                rng.choice(plans, n, p=[0.6, 0.3, 0.1]),
            ),
            dtype=object,
        ),
        "newsletter": pd.array(
            np.where(churn, rng.random(n) < 0.7, rng.random(n) < 0.3), dtype="boolean"
        ),
    }
)
# (missing rate among the other customers, among churners) per column
# (missing rate among the other customers, among churners) per column, independently
rates = {
    "amount": (0.08, 0.10),
    "visits": (0.10, 0.10),
    "channel": (0.02, 0.03),
    "plan": (0.10, 0.10),
    "newsletter": (0.20, 0.20),
}
markers = {"amount": np.nan, "visits": pd.NA, "channel": np.nan, "plan": None, "newsletter": pd.NA}
for column, (others, churners) in rates.items():
    holes = rng.random(n) < np.where(churn, churners, others)
    X.loc[holes, column] = markers[column]
# and partial records, which lack amount and channel together
partial = rng.random(n) < np.where(churn, 0.15, 0.03)
X.loc[partial, ["amount", "channel"]] = np.nan
print(X.dtypes)
print(X.head(6))
print("class counts:", np.bincount(y).tolist())

# %%
# Resample as it is
# -----------------
# No imputer, no encoder: ``fit_resample`` takes the frame with its holes, using its
# defaults.
sampler = VAEOverSampler(random_state=0)
X_res, y_res = sampler.fit_resample(X, y)
new = X_res.iloc[len(X) :]
print("class counts after:", np.bincount(y_res).tolist())
print("dtypes kept:", X_res.dtypes.equals(X.dtypes))
print(new.head(6))

# %%
# The caller's rows, holes included, come back first and unchanged; new holes are written
# with each column's own marker (``None`` stays ``None`` in ``plan``, ``pd.NA`` in
# ``visits``).
pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
print("original rows unchanged:", X_res.iloc[: len(X)].equals(X))
plan_holes = new["plan"][new["plan"].isna()]
print("markers of new holes in plan:", sorted({repr(v) for v in plan_holes}))
visits_holes = new["visits"][new["visits"].isna()]
print("markers of new holes in visits:", sorted({repr(v) for v in visits_holes}))

# %%
# Missing rates: real churners against new rows
# ---------------------------------------------
# The decoder learns each column's chance of being missing in the class, and each new row's
# holes are drawn from it, coupled to the holes of the real row it grew from. That keeps the
# class's rates only if the learned chances are right (calibrated), which takes training.
# Besides the default sampler, one trained for 100 epochs on all the churners
# (``epochs=100, early_stopping=False``) is shown.
longer = VAEOverSampler(epochs=100, early_stopping=False, random_state=0)
X_longer, _ = longer.fit_resample(X, y)
new_longer = X_longer.iloc[len(X) :]
for name, fitted in [("defaults", sampler), ("100 epochs", longer)]:
    print(f"{name:>10}: {len(fitted.history_[1]['loss'])} epochs")

missing = pd.DataFrame(
    {
        "real churners": X[churn].isna().mean(),
        "new, defaults": new.isna().mean(),
        "new, 100 epochs": new_longer.isna().mean(),
        "other customers": X[~churn].isna().mean(),
    }
)
with pd.option_context("display.precision", 3, "display.width", 120):
    print(missing)
for name in ["new, defaults", "new, 100 epochs"]:
    gap = (missing["real churners"] - missing[name]).abs().mean()
    print(f"mean absolute gap to the real churners' rates, {name}: {gap:.3f}")

fig, ax = plt.subplots(figsize=(9, 3.8), layout="constrained")
width = 0.2
positions = np.arange(len(missing))
for k, name in enumerate(missing.columns):
    ax.bar(positions + (k - 1.5) * width, missing[name], width, label=name)
ax.set_xticks(positions, missing.index)
ax.set(ylabel="share of rows missing", ylim=(0, 0.33), title="Missing rate per column")
ax.legend(loc="upper center", ncols=4, fontsize="small")

# %%
# In this run, the default sampler's new rows have fewer holes than the real churners in
# every column (a mean gap of 0.056; ``visits``: 0.061 against 0.125): its missingness head
# was not yet calibrated when training stopped. The sampler trained for 100 epochs comes
# within 0.021 on average. A classifier that reads holes as a signal sees fewer of them in
# the defaults' new rows than in the real churners, so if missingness matters to your model,
# check these rates, and train longer if they are off.
#
# Holes that go together
# ----------------------
# Because each new row's holes are drawn in step with those of a real row, columns that tend
# to be missing together should stay so. The share of rows missing in *both* ``amount`` and
# ``channel`` shows it, next to what independent holes would give (the product of the two
# rates).
for name, rows in [
    ("real churners", X[churn]),
    ("new, defaults", new),
    ("new, 100 epochs", new_longer),
]:
    both = (rows["amount"].isna() & rows["channel"].isna()).mean()
    product = rows["amount"].isna().mean() * rows["channel"].isna().mean()
    print(f"{name:>15}: both missing {both:.3f}, independent holes would give {product:.3f}")

# %%
# Both samplers keep the partial records: about a tenth of their new rows lack both
# ``amount`` and ``channel`` (0.097 and 0.110, against 0.136 of the real churners), where
# independent holes at the same rates would give only 0.02-0.03.
#
# Does it help a classifier?
# --------------------------
# ``HistGradientBoostingClassifier`` handles NaN itself. The pipeline resamples the training
# folds only, encodes the three categorical columns as ordinal codes (missing stays NaN)
# and fits the booster, which treats the codes as categories. It is compared, over the same
# 3 stratified folds, with the booster on the data as it is and with
# ``class_weight="balanced"``, the cheapest way to make a booster care about a rare class.
categorical = ["channel", "plan", "newsletter"]


def booster_pipeline(*sampler, class_weight=None):
    encode = make_column_transformer(
        (OrdinalEncoder(), categorical), remainder="passthrough"
    ).set_output(transform="pandas")
    booster = HistGradientBoostingClassifier(
        categorical_features=[0, 1, 2], class_weight=class_weight, random_state=0
    )
    return make_pipeline(*sampler, encode, booster)


candidates = {
    "no resampling": booster_pipeline(),
    'class_weight="balanced"': booster_pipeline(class_weight="balanced"),
    "VAE, defaults": booster_pipeline(VAEOverSampler(random_state=0)),
    "VAE, 100 epochs": booster_pipeline(
        VAEOverSampler(epochs=100, early_stopping=False, random_state=0)
    ),
}
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
scores = {}
for name, pipeline in candidates.items():
    result = cross_validate(pipeline, X, y, cv=cv, scoring=["f1", "balanced_accuracy"])
    scores[name] = {
        "F1": result["test_f1"].mean(),
        "F1 std": result["test_f1"].std(),
        "balanced accuracy": result["test_balanced_accuracy"].mean(),
        "bal. acc. std": result["test_balanced_accuracy"].std(),
        "fit s": result["fit_time"].mean(),
    }
scores = pd.DataFrame(scores).T
with pd.option_context("display.precision", 3, "display.width", 120):
    print(scores)

fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
width = 0.38
positions = np.arange(len(scores))
for offset, (metric, std) in zip(
    (-width / 2, width / 2),
    [("F1", "F1 std"), ("balanced accuracy", "bal. acc. std")],
    strict=True,
):
    ax.bar(positions + offset, scores[metric], width, yerr=scores[std], capsize=4, label=metric)
ax.set_xticks(positions, scores.index)
ax.set(
    ylim=(0, 1.15),
    ylabel="mean score over 3 folds",
    title="HistGradientBoosting on the table with holes (error bars: std over folds)",
)
ax.legend(loc="upper center", ncols=2)

# %%
# On this table, the VAE's rows move the booster along the usual trade-off of
# over-sampling. Balanced accuracy rises from 0.783 with no resampling to 0.848 (defaults)
# and 0.863 (100 epochs), because the booster now flags more churners; F1 falls from 0.667 to
# about 0.55, because it also flags more customers who stay. ``class_weight="balanced"``
# gets part of the gain in balanced accuracy (0.829) and keeps F1 near the baseline's
# (0.654), with no generative model at all: with a booster it is the first thing to try.
# Training the VAE longer fixed its missing rates but barely moved the scores. With about 29
# churners per validation fold, the standard deviations reach 0.13, so differences of a few
# hundredths are noise. What the sampler does offer is the ability to over-sample this table
# at all without inventing values for its holes; whether that beats re-weighting is for
# cross-validation on your own data to decide.
