"""One class's rows as its VAE sees them: scaled numeric columns, then one-hot categories.

A class can be most of a big table, so this module keeps its copies of the rows to one: the
numeric columns are scaled in place in the class's own copy, and the scaler is fitted in
chunks, because scikit-learn's variance pass makes float64 temporaries the size of its input.
"""

import numpy as np
from sklearn.base import clone
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from ._columns import ColumnLayout, numeric_part, one_hot

# Rows per ``StandardScaler.partial_fit`` call. A class of at most this many rows is fitted in
# one call, which is exactly ``StandardScaler.fit``.
FIT_CHUNK_ROWS = 65_536


def fit_standard_scaler(values: np.ndarray) -> StandardScaler:
    """``StandardScaler().fit(values)``, in chunks of ``FIT_CHUNK_ROWS`` rows."""
    scaler = StandardScaler()
    for start in range(0, max(len(values), 1), FIT_CHUNK_ROWS):
        scaler.partial_fit(values[start : start + FIT_CHUNK_ROWS])
    return scaler


def scale_class(rows, layout: ColumnLayout, pixels=None):
    """Fit a scaler to one class's ``rows`` and return ``(scaler, (low, high), values)``.

    ``rows`` must be the class's own copy (``X[y == label]``): its numeric columns may be
    overwritten. ``values`` is float32, the scaled numeric columns followed by the one-hot
    blocks of ``layout``; ``low`` and ``high`` are the numeric columns' ranges. ``pixels``, a
    fitted ``PixelScaler``, scales images to [0, 1] instead of standardising.
    """
    numeric = numeric_part(rows, layout.numeric)
    ranges = (numeric.min(axis=0), numeric.max(axis=0))
    if pixels is not None:
        scaler = clone(pixels).fit(numeric)
        values = scaler.transform(numeric)
    elif numeric.shape[1]:
        scaler = fit_standard_scaler(numeric)
        # numeric is rows itself or a new array taken from them, never the caller's X.
        values = scaler.transform(numeric, copy=False)
    else:
        scaler = FunctionTransformer().fit(numeric)
        values = numeric
    values = values.astype(np.float32, copy=False)
    if layout.categorical.size:
        values = np.hstack([values, one_hot(rows, layout)])
    return scaler, ranges, values
