"""How realistic generated rows are: measures against real rows of the same class.

Three questions about the rows an over-sampler made for one class, each answered against that
class's real rows:

- **Can a classifier tell them apart?** :func:`two_sample_auc` trains a random forest to tell
  generated rows from real rows the sampler never saw; 0.5 means it cannot, 1.0 means every
  generated row gives itself away.
- **Are they copies?** :func:`copy_share` is the share of generated rows equal to a training
  row in every column: an over-sampler that copies is random over-sampling in disguise.
- **How far do they move?** :func:`distance_ratio` is each row's distance to its closest
  training row, in units of the typical distance between a real training row and its nearest
  neighbour. Held-out real rows give the reference: rows much closer than theirs hug the
  training rows, rows much further wander off the class.

:func:`fidelity_report` computes all three for one class, and
:func:`vae_oversampler.plotting.plot_fidelity` draws them. ``benchmarks/quality.py`` reports
the same functions over its data sets.

The rows are numeric arrays or DataFrames of one class. Categorical columns of a DataFrame
(``category``, ``object``, ``string``, ``bool``) are one-hot encoded over the union of the
rows given; numeric columns are standardised by the training rows' mean and standard deviation
before distances are taken (``standardize=False`` keeps them as they are). Missing values are
refused: drop or impute those rows first.

Examples
--------
>>> import numpy as np
>>> from vae_oversampler.metrics import copy_share, fidelity_report
>>> rng = np.random.default_rng(0)
>>> train, held_out = rng.normal(size=(200, 3)), rng.normal(size=(100, 3))
>>> copy_share(train, train[:10])
1.0
>>> report = fidelity_report(train, held_out, rng.normal(size=(100, 3)), random_state=0)
>>> sorted(report)
['copy_share', 'distance_ratio', 'held_out_distance_ratio', 'two_sample_auc']
>>> bool(abs(report["two_sample_auc"] - 0.5) < 0.1)  # both are draws of one distribution
True
"""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state

__all__ = ["copy_share", "distance_ratio", "fidelity_report", "two_sample_auc"]


def _is_frame(rows) -> bool:
    return hasattr(rows, "columns") and hasattr(rows, "dtypes")


def _numeric_arrays(*tables) -> list[np.ndarray]:
    """The tables as float64 arrays of one width: frames one-hot encoded together (their
    categorical columns over the union of their values), arrays as they are."""
    if any(_is_frame(t) for t in tables):
        if not all(_is_frame(t) for t in tables):
            raise ValueError(
                "Pass all tables as DataFrames or all as arrays, not a mix: the columns are "
                "matched by name for frames and by position for arrays."
            )
        import pandas as pd

        columns = list(tables[0].columns)
        for table in tables[1:]:
            if list(table.columns) != columns:
                raise ValueError(
                    "The DataFrames have different columns; pass rows of one table "
                    f"(got {columns} and {list(table.columns)})."
                )
        whole = pd.concat(tables, keys=range(len(tables)))
        categorical = [
            c
            for c in columns
            if not pd.api.types.is_numeric_dtype(whole[c]) or pd.api.types.is_bool_dtype(whole[c])
        ]
        encoded = pd.get_dummies(whole, columns=categorical, dtype=np.float64)
        tables = [encoded.xs(k).to_numpy(dtype=np.float64) for k in range(len(tables))]
    arrays = []
    for table in tables:
        array = np.asarray(table, dtype=np.float64)
        if array.ndim != 2:
            raise ValueError(f"Rows must be a 2-D table, got an array of shape {array.shape}.")
        if len(array) == 0:
            raise ValueError("Every table needs at least one row, got an empty one.")
        if not np.isfinite(array).all():
            raise ValueError(
                "The rows hold missing or infinite values, which these measures cannot compare;"
                " drop those rows, or impute them the same way for every table."
            )
        arrays.append(array)
    widths = {a.shape[1] for a in arrays}
    if len(widths) != 1:
        raise ValueError(f"The tables need the same columns, got widths {sorted(widths)}.")
    return arrays


def copy_share(train, generated) -> float:
    """The share of generated rows that equal a training row in every column.

    Read more in the :ref:`User Guide <fidelity>`.

    Parameters
    ----------
    train : array-like or DataFrame of shape (n_train, n_features)
        The real rows the sampler saw.
    generated : array-like or DataFrame of shape (n_generated, n_features)
        The rows it made.

    Returns
    -------
    share : float
        In [0, 1]; 0 means no generated row repeats a training row.
    """
    train, generated = _numeric_arrays(train, generated)
    # + 0.0 turns -0.0 into 0.0, so that equal values have equal bytes.
    seen = {row.tobytes() for row in np.ascontiguousarray(train + 0.0)}
    return float(np.mean([row.tobytes() in seen for row in np.ascontiguousarray(generated + 0.0)]))


def _scaled(train, *others, standardize: bool):
    if not standardize:
        return (train, *others)
    mean, std = train.mean(axis=0), train.std(axis=0)
    std[std == 0] = 1.0
    return tuple((rows - mean) / std for rows in (train, *others))


def _distance_ratio(train: np.ndarray, rows: np.ndarray) -> np.ndarray:
    if len(train) < 2:
        raise ValueError("distance_ratio needs at least 2 training rows to measure their spacing.")
    neighbours = NearestNeighbors(n_neighbors=2).fit(train)
    spacing = np.median(neighbours.kneighbors(train)[0][:, 1])
    closest = neighbours.kneighbors(rows, n_neighbors=1)[0][:, 0]
    return closest / spacing if spacing > 0 else np.full(len(rows), np.nan)


def distance_ratio(train, rows, *, standardize: bool = True) -> np.ndarray:
    """Each row's distance to its closest training row, relative to the training rows' spacing.

    The spacing is the median, over training rows, of the Euclidean distance from a training
    row to its nearest other training row. A ratio of 0 is a copy; held-out real rows of the
    class give the ratio a realistic generated row should have.

    Read more in the :ref:`User Guide <fidelity>`.

    Parameters
    ----------
    train : array-like or DataFrame of shape (n_train, n_features)
        The real rows the sampler saw; at least two.
    rows : array-like or DataFrame of shape (n_rows, n_features)
        Generated rows, or held-out real rows for the reference.
    standardize : bool, default=True
        Scale each column by the training rows' mean and standard deviation first, so that no
        column dominates the distance by its units.

    Returns
    -------
    ratio : ndarray of shape (n_rows,)
        NaN everywhere when the training rows are all equal (their spacing is 0).
    """
    train, rows = _scaled(*_numeric_arrays(train, rows), standardize=standardize)
    return _distance_ratio(train, rows)


def two_sample_auc(real, generated, *, estimator=None, cv: int = 5, random_state=None) -> float:
    """How well a classifier tells generated rows from real ones: cross-validated ROC AUC.

    The larger of the two sets is sub-sampled to the size of the smaller, then ``estimator``
    is scored by stratified ``cv``-fold cross-validation on telling them apart. 0.5 means the
    rows are indistinguishable to it; 1.0 means every generated row is recognisable. Values
    below 0.5 are chance.

    Read more in the :ref:`User Guide <fidelity>`.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        Real rows of the class that the sampler did not see (a held-out part), so that a
        sampler that copies its training rows does not score 0.5 for free.
    generated : array-like or DataFrame of shape (n_generated, n_features)
        The sampler's rows of that class.
    estimator : classifier, default=None
        Any scikit-learn classifier with ``predict_proba``; ``None`` is a
        :class:`~sklearn.ensemble.RandomForestClassifier` of 100 trees.
    cv : int, default=5
        Folds of the cross-validation; each set needs at least this many rows.
    random_state : int, RandomState instance or None, default=None
        Seeds the sub-sample, the folds and the default forest.

    Returns
    -------
    auc : float
    """
    real, generated = _numeric_arrays(real, generated)
    if not isinstance(cv, numbers.Integral) or cv < 2:
        raise ValueError(f"cv must be an integer of at least 2, got {cv!r}.")
    n = min(len(real), len(generated))
    if n < cv:
        raise ValueError(
            f"two_sample_auc needs at least cv={cv} rows of each kind, got {len(real)} real and "
            f"{len(generated)} generated rows."
        )
    rng = check_random_state(random_state)
    if len(generated) > n:
        generated = generated[rng.choice(len(generated), n, replace=False)]
    if len(real) > n:
        real = real[rng.choice(len(real), n, replace=False)]
    # An integer seeds the forest and the folds itself; otherwise they get one drawn from it.
    if isinstance(random_state, numbers.Integral):
        seed = int(random_state)
    else:
        seed = int(rng.randint(2**31 - 1))
    if estimator is None:
        estimator = RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1)
    else:
        estimator = clone(estimator)
    X = np.vstack([generated, real])
    y = np.r_[np.ones(len(generated)), np.zeros(len(real))]
    folds = StratifiedKFold(cv, shuffle=True, random_state=seed)
    return float(cross_val_score(estimator, X, y, cv=folds, scoring="roc_auc").mean())


def fidelity_report(train, held_out, generated, *, random_state=None) -> dict:
    """All three measures for one class's generated rows.

    Read more in the :ref:`User Guide <fidelity>`.

    Parameters
    ----------
    train : array-like or DataFrame of shape (n_train, n_features)
        The class's real rows that the sampler saw.
    held_out : array-like or DataFrame of shape (n_held_out, n_features)
        Real rows of the class that it did not see.
    generated : array-like or DataFrame of shape (n_generated, n_features)
        The rows it made for the class.
    random_state : int, RandomState instance or None, default=None
        Seeds :func:`two_sample_auc`.

    Returns
    -------
    report : dict
        ``two_sample_auc`` (generated against held-out rows), ``copy_share``,
        ``distance_ratio`` (median over generated rows) and ``held_out_distance_ratio`` (the
        same median over held-out rows: what realistic rows score).
    """
    train, held_out, generated = _numeric_arrays(train, held_out, generated)
    scaled = _scaled(train, held_out, generated, standardize=True)
    return {
        "two_sample_auc": two_sample_auc(held_out, generated, random_state=random_state),
        "copy_share": copy_share(train, generated),
        "distance_ratio": float(np.nanmedian(_distance_ratio(scaled[0], scaled[2]))),
        "held_out_distance_ratio": float(np.nanmedian(_distance_ratio(scaled[0], scaled[1]))),
    }
