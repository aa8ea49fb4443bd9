"""One class's rows as its VAE sees them: scaled numeric columns, then one-hot categories.

A class can be most of a big table, so this module keeps its copies of the rows to one: the
numeric columns are scaled in place in the class's own copy, and the scaler is fitted in
chunks, because scikit-learn's variance pass makes float64 temporaries the size of its input.
"""

import numpy as np
from sklearn.base import clone
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from .columns import ColumnLayout, numeric_part, one_hot
from .missing import ClassMissing, class_missing

# Rows per ``StandardScaler.partial_fit`` call. A class of at most this many rows is fitted in
# one call, which is exactly ``StandardScaler.fit``.
FIT_CHUNK_ROWS = 65_536


def _fit_in_chunks(values: np.ndarray, divisor=None) -> StandardScaler:
    scaler = StandardScaler()
    for start in range(0, max(len(values), 1), FIT_CHUNK_ROWS):
        chunk = values[start : start + FIT_CHUNK_ROWS]
        scaler.partial_fit(chunk if divisor is None else chunk / divisor)
    return scaler


def fit_standard_scaler(values: np.ndarray) -> StandardScaler:
    """``StandardScaler().fit(values)``, in chunks of ``FIT_CHUNK_ROWS`` rows.

    Values whose squares overflow (beyond about 1e154) give an infinite variance; the columns
    are then fitted divided by a power of two near their largest magnitude, and the scaler's
    ``mean_`` and ``scale_`` multiplied back, so that they are scaled like any other column,
    up to the largest float64.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        scaler = _fit_in_chunks(values)
    # An overflowed variance is inf; scikit-learn may still report scale_ = 1 for it.
    if np.isfinite(scaler.var_).all() and np.isfinite(scaler.mean_).all():
        return scaler
    largest = np.zeros(values.shape[1])
    for start in range(0, len(values), FIT_CHUNK_ROWS):
        # fmax skips the NaN of missing cells.
        chunk = np.fmax.reduce(np.abs(values[start : start + FIT_CHUNK_ROWS]), axis=0)
        largest = np.maximum(largest, chunk)
    # 2**(e - 1) with largest = m * 2**e, m in [0.5, 1): the columns become at most 2 in
    # magnitude, and the divisor stays finite up to the largest float64.
    divisor = np.ldexp(1.0, np.frexp(np.maximum(largest, 1.0))[1] - 1)
    scaler = _fit_in_chunks(values, divisor)
    scaler.mean_ *= divisor
    scaler.scale_ *= divisor
    with np.errstate(over="ignore", invalid="ignore"):
        scaler.var_ *= divisor**2
    return scaler


def scale_class(rows, layout: ColumnLayout, pixels=None):
    """Fit a scaler to one class's ``rows`` and return ``(scaler, (low, high), values,
    missing)``.

    ``rows`` must be the class's own copy (``X[y == label]``): its numeric columns may be
    overwritten. ``values`` is float32: the scaled numeric columns (0 where a cell is
    missing), the one-hot blocks of ``layout`` (all zeros where a category is missing), then
    one missingness indicator per column with a hole in the class, as ``missing``, a
    :class:`~vae_oversampler._data.missing.ClassMissing`, lists them. ``low`` and ``high`` are the
    numeric columns' ranges over their observed values. The scaler is fitted on the observed
    values; a column the class never observes is scaled as zeros. ``pixels``, a fitted
    ``PixelScaler``, scales images to [0, 1] instead of standardising.
    """
    numeric = numeric_part(rows, layout.numeric)
    holes = None
    if layout.missing:
        holes = np.isnan(numeric)
        if not holes.any():
            holes = None
        else:
            numeric[:, holes.all(axis=0)] = 0.0
    if holes is None:
        ranges = (numeric.min(axis=0), numeric.max(axis=0))
    else:
        ranges = (np.fmin.reduce(numeric, axis=0), np.fmax.reduce(numeric, axis=0))
    if pixels is not None:
        scaler = clone(pixels).fit(numeric)
        values = scaler.transform(numeric)
    elif numeric.shape[1]:
        scaler = fit_standard_scaler(numeric)
        # numeric is rows itself or a new array taken from them, never the caller's X.
        with np.errstate(over="ignore", invalid="ignore"):
            values = scaler.transform(numeric, copy=False)
        if holes is not None:
            values[holes] = 0.0
        _check_finite(values, ranges, layout)
    else:
        scaler = FunctionTransformer().fit(numeric)
        values = numeric
    values = values.astype(np.float32, copy=False)
    blocks, categorical_holes = one_hot(rows, layout)
    missing = ClassMissing(np.zeros(0, np.int64), (), np.zeros(0))
    if holes is not None or categorical_holes.any():
        numeric_holes = np.zeros(numeric.shape, bool) if holes is None else holes
        missing, indicators = class_missing(numeric_holes, categorical_holes, layout)
        return scaler, ranges, np.hstack([values, blocks, indicators]), missing
    if layout.categorical.size:
        values = np.hstack([values, blocks])
    return scaler, ranges, values, missing


def _check_finite(values: np.ndarray, ranges, layout: ColumnLayout) -> None:
    """Raise a ValueError naming the first column whose standardised values overflowed."""
    bad = ~np.isfinite(values).all(axis=0)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        largest = max(abs(float(ranges[0][j])), abs(float(ranges[1][j])))
        raise ValueError(
            f"Column {int(layout.numeric[j])} holds values up to {largest:.3g} in magnitude, "
            "too close to float64's limit (1.8e308) to standardise: differences between them "
            "overflow. Divide the column by a power of ten, or take its logarithm, before "
            "resampling."
        )
