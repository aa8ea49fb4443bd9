"""Missing cells: where a table's holes are, how the VAE sees them, and how new rows get them.

A class whose rows have holes gets one missingness indicator per column that has any, appended
to its encoded rows (1 where the cell is missing). The encoder reads them, the decoder gives
each a logit, and the loss leaves the missing cells out of the reconstruction (see
``_losses.table_nll``). A new row's missing cells are drawn from those logits and written
with the marker the caller's column used: NaN, ``None`` or ``pd.NA``. A class without holes has
no indicators, and trains and generates exactly as it would if no other class had any.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

# How a column marks a missing cell, by the first missing value seen in it.
NAN, NONE, NA = "nan", "None", "NA"


def is_missing(values: np.ndarray) -> np.ndarray:
    """Elementwise: the value is NaN, ``None``, ``pd.NA`` or ``NaT``."""
    if values.dtype.kind in "fc":
        return np.isnan(values)
    if values.dtype.kind != "O":
        return np.zeros(values.shape, dtype=bool)
    try:
        import pandas as pd
    except ImportError:
        absent = np.vectorize(lambda v: v is None or (isinstance(v, float) and v != v), [bool])
        return absent(values)
    return np.asarray(pd.isna(values), dtype=bool)


def marker_kind(value) -> str:
    """The kind of missing ``value``: ``NONE``, ``NA`` or ``NAN`` (NaN, NaT and the rest)."""
    if value is None:
        return NONE
    if type(value).__name__ == "NAType":
        return NA
    return NAN


def marker(kind: str):
    """The missing value of ``kind``, as :func:`marker_kind` names it."""
    if kind == NONE:
        return None
    if kind == NA:
        import pandas as pd

        return pd.NA
    return np.nan


def column_markers(X, columns) -> tuple:
    """``(column, kind)`` for each column of ``columns`` in ``X`` that has a missing cell."""
    if sparse.issparse(X):
        data = sparse.csc_matrix(X)
        found = []
        for column in columns:
            block = data.data[data.indptr[column] : data.indptr[column + 1]]
            if np.isnan(block).any():
                found.append((int(column), NAN))
        return tuple(found)
    found = []
    for column in columns:
        values = X[:, column]
        holes = np.flatnonzero(is_missing(values))
        if holes.size:
            kind = NAN if values.dtype.kind == "f" else marker_kind(values[holes[0]])
            found.append((int(column), kind))
    return tuple(found)


@dataclass
class ClassMissing:
    """The missingness of one class: which columns have holes, how often, and where.

    ``columns`` are the columns of X with a hole in the class, numeric columns first (in the
    layout's order), then categorical ones: the order of the indicators at the end of the
    class's encoded rows. ``model_columns`` gives, per indicator, the column's position among
    the numeric columns, or -1 for a categorical column (``TabularVAE``'s
    ``missing_columns``). ``rates`` is each column's share of missing cells in the class.
    """

    columns: np.ndarray
    model_columns: tuple
    rates: np.ndarray

    @property
    def size(self) -> int:
        return len(self.columns)


def class_missing(numeric_holes: np.ndarray, categorical_holes: np.ndarray, layout):
    """The class's :class:`ClassMissing` and its indicator matrix (float32, one column per
    column with a hole), from the holes of its numeric and categorical columns."""
    numeric_with = np.flatnonzero(numeric_holes.any(axis=0))
    categorical_with = np.flatnonzero(categorical_holes.any(axis=0))
    indicators = np.hstack(
        [numeric_holes[:, numeric_with], categorical_holes[:, categorical_with]]
    ).astype(np.float32)
    missing = ClassMissing(
        columns=np.concatenate(
            [layout.numeric[numeric_with], layout.categorical[categorical_with]]
        ).astype(np.int64),
        model_columns=tuple(int(j) for j in numeric_with) + (-1,) * len(categorical_with),
        rates=indicators.mean(axis=0, dtype=np.float64),
    )
    return missing, indicators


def _probabilities(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


def hole_draws(shape: tuple, rng, seeds=None) -> np.ndarray:
    """The uniform draws ``u`` that :func:`draw_missing` compares with the head's
    probabilities: independent per cell, or with ``seeds`` placed where the seed row's own
    holes put them (see there)."""
    if seeds is None:
        return rng.random_sample(shape)
    holes, seed_probabilities = seeds
    p = seed_probabilities.astype(np.float64)
    # One draw per row, shared by its cells: columns whose probabilities move together
    # flip together.
    v = rng.random_sample((shape[0], 1))
    return np.where(holes, v * p, p + v * (1.0 - p))


def draw_missing(logits: np.ndarray, rates: np.ndarray, rng, seeds=None, offsets=None):
    """Which new cells are missing: ``u < p``, where ``p`` is the missingness head's
    probability at the new row's latent point and ``u`` a uniform draw; always for a column
    the class never observed (rate 1).

    With ``seeds`` (the holes and probabilities of the class row each new row grew from, as
    ``_generation.generator.HoleModel`` keeps them), ``u`` is drawn where it must lie for the
    seed row's own holes: below the seed's probability for a missing cell, above it for an
    observed one. A new row at its seed's encoding then has exactly the seed's holes, and one
    further away flips the cells whose probability moved: the missingness counterpart of
    ``decoder_output="residual"``, which keeps which columns are missing together. Without
    ``seeds`` the cells are independent draws given the latent point.

    ``offsets``, one per column, are added to the logits of the new rows (not the seeds'):
    :func:`calibrate_offsets` picks them so that the rates come out as the class's.
    """
    u = hole_draws(logits.shape, rng, seeds)
    if offsets is not None:
        logits = logits + offsets
    missing = u < _probabilities(logits)
    missing[:, rates >= 1.0] = True
    return missing


def calibrate_offsets(logits: np.ndarray, u: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Per column, the offset on the new rows' logits at which the share of missing cells
    among simulated new rows (``logits`` and their draws ``u``) equals the class's rate.

    A head trained on a few dozen rows is not calibrated where new rows land (posterior
    points regress towards the prior, and the coupled draws flip asymmetrically), which left
    rates up to 0.1 below the class's; the offset puts them back. Columns always missing need
    none."""
    offsets = np.zeros(logits.shape[1])
    for j, rate in enumerate(rates):
        if rate >= 1.0:
            continue
        low, high = -CALIBRATION_RANGE, CALIBRATION_RANGE
        for _ in range(CALIBRATION_STEPS):
            middle = (low + high) / 2
            share = np.mean(u[:, j] < _probabilities(logits[:, j] + middle))
            low, high = (middle, high) if share < rate else (low, middle)
        offsets[j] = (low + high) / 2
    return offsets


# The bisection of calibrate_offsets: logit offsets in [-20, 20], to within 40 / 2**30.
CALIBRATION_RANGE = 20.0
CALIBRATION_STEPS = 30


def put_missing(out: np.ndarray, missing: np.ndarray, columns, kinds: dict) -> None:
    """Write a missing value into each cell of ``out`` that ``missing`` (one column per entry
    of ``columns``) marks: NaN in a float array, the column's own marker in an object one."""
    for j, column in enumerate(columns):
        rows = missing[:, j]
        if rows.any():
            out[rows, column] = np.nan if out.dtype.kind == "f" else marker(kinds[int(column)])


def restore_object_markers(frame, given, kinds: dict, n_given: int) -> None:
    """Give the ``object`` columns of an output DataFrame back their own missing values.

    imbalanced-learn builds the output frame from one object array, and pandas reads an
    object column of strings with holes as strings, which turns ``None`` and ``pd.NA`` into
    NaN; ``astype(object)`` keeps the NaN. Each such column gets the caller's values in its
    first ``n_given`` rows (``given``, the caller's DataFrame, or None when no row of it is
    in ``frame``) and the column's own marker in its new missing cells.
    """
    for position, kind in kinds.items():
        name = frame.columns[position]
        if kind == NAN or frame.dtypes.iloc[position] != np.dtype("O"):
            continue
        values = frame.iloc[:, position].to_numpy(dtype=object, copy=True)
        new = values[n_given:]
        new[is_missing(new)] = marker(kind)
        if given is not None:
            values[:n_given] = given.iloc[:, position].to_numpy(dtype=object)
        import pandas as pd

        frame[name] = pd.Series(values, index=frame.index, dtype=object)
