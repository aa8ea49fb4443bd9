"""The columns of a table: which are categorical, which hold whole numbers or values on a grid,
which have holes.

The VAE sees each row as its numeric columns (standardised per class) followed by a one-hot
block per categorical column (all zeros where the category is missing), and, for a class with
holes, its missingness indicators (see ``_missing``). This module finds those columns, encodes
rows into that layout and puts generated values back into the caller's column order and dtype.
"""

from dataclasses import dataclass
from numbers import Number

import numpy as np
from scipy import sparse
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import check_array
from sklearn.utils._indexing import _get_column_indices

from .grid import find_grids
from .missing import column_markers, is_missing


def _is_categorical_dtype(dtype) -> bool:
    import pandas as pd

    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
    )


def categorical_indices(X, categorical_features) -> np.ndarray:
    """Indices of the categorical columns of ``X``, from ``categorical_features`` as SMOTENC
    takes it: None, "auto", integer indices, a boolean mask, or column names of a DataFrame.

    ``"auto"`` picks a DataFrame's ``category``, ``object``, ``string`` and ``bool`` columns;
    an array has none.
    """
    if categorical_features is None:
        return np.array([], dtype=np.int64)
    n_columns = X.shape[1] if hasattr(X, "shape") and len(X.shape) == 2 else None
    if isinstance(categorical_features, str) and categorical_features == "auto":
        dtypes = getattr(X, "dtypes", None)
        if dtypes is None or not hasattr(dtypes, "items"):
            return np.array([], dtype=np.int64)
        flags = [_is_categorical_dtype(dtype) for _, dtype in dtypes.items()]
        return np.flatnonzero(flags).astype(np.int64)
    key = np.asarray(categorical_features)
    if key.dtype.kind == "b" and n_columns is not None and key.shape != (n_columns,):
        raise ValueError(
            f"categorical_features as a boolean mask needs one entry per column of X "
            f"({n_columns}), got {key.shape[0] if key.ndim else 'a scalar'}."
        )
    key = key.tolist() if key.ndim else [key.item()]
    try:
        indices = _get_column_indices(X, key)
    except (ValueError, KeyError) as exc:
        raise ValueError(
            f"categorical_features={categorical_features!r} does not name columns of X: {exc} "
            "Pass column positions, a boolean mask, or (for a DataFrame) column names."
        ) from None
    if n_columns is not None:
        indices = [i % n_columns for i in indices]
    return np.unique(np.asarray(indices, dtype=np.int64))


@dataclass
class ColumnLayout:
    """Where each column of X goes in the VAE's row, fitted on all of X."""

    numeric: np.ndarray  # indices of the numeric columns, in order
    categorical: np.ndarray  # indices of the categorical columns, in order
    encoder: OneHotEncoder | None  # fitted on the categorical columns, None without any
    whole: np.ndarray  # per numeric column: it holds whole numbers only
    # per numeric column: the NumPy dtype its new values must fit (the caller's column's)
    numeric_dtypes: tuple = ()
    # (column, marker kind) for each column of X with a missing cell; see _missing.marker
    missing: tuple = ()
    # per numeric column: the levels of the evenly spaced values it holds (see _data.grid),
    # None for images
    grid: tuple | None = None

    @property
    def categories(self) -> list:
        """The sorted categories of each categorical column."""
        return [] if self.encoder is None else list(self.encoder.categories_)

    @property
    def group_sizes(self) -> tuple:
        """Width of each categorical column's one-hot block."""
        return tuple(len(c) for c in self.categories)

    @property
    def n_columns(self) -> int:
        """Number of columns of X."""
        return len(self.numeric) + len(self.categorical)

    @property
    def n_encoded(self) -> int:
        """Width of a complete row as the VAE sees it (before any missingness indicators)."""
        return len(self.numeric) + sum(self.group_sizes)

    @property
    def missing_kinds(self) -> dict:
        """``{column: marker kind}`` of the columns of X with a missing cell."""
        return {int(column): kind for column, kind in self.missing}


# Rows checked at a time for whole numbers, to keep temporaries small on big tables.
CHUNK_ROWS = 65_536


def numeric_part(X, numeric) -> np.ndarray:
    """The numeric columns of ``X`` as a float array, NaN where a cell is missing (sparse X
    is densified).

    float32 stays float32, so a big float32 class is not copied into float64; anything else
    becomes float64.
    """
    columns = X if len(numeric) == X.shape[1] else X[:, numeric]
    columns = columns.toarray() if sparse.issparse(columns) else columns
    if columns.dtype.kind == "O":
        # None and pd.NA, which float() refuses, become NaN.
        columns = np.where(is_missing(columns), np.nan, columns)
    try:
        return check_array(
            columns,
            dtype=[np.float64, np.float32],
            order="C",
            ensure_min_features=0,
            ensure_all_finite="allow-nan",
        )
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"The columns that categorical_features leaves numeric must hold numbers (or "
            f"missing values): {exc} List a column of other values in categorical_features."
        ) from None


def fit_layout(X, categorical, dtypes=None, names=None, grids=True) -> ColumnLayout:
    """Read the layout of ``X`` given the indices of its categorical columns.

    ``dtypes`` are the caller's column dtypes when X was a DataFrame (validated into one
    float64 or object array, which no longer says that a column was uint8, say); None means
    X's own dtype for every column. ``names`` are its column names, for error messages.
    ``grids=False`` (images) looks for no grid of values.
    """
    numeric = np.setdiff1d(np.arange(X.shape[1]), categorical)
    numeric_dtypes = tuple(
        X.dtype if dtypes is None else _numpy_dtype(dtypes[i], X.dtype) for i in numeric
    )
    whole = _whole_columns(X, numeric)
    grid = None
    if grids and not sparse.issparse(X):
        grid = find_grids(_numeric_blocks(X, numeric), whole)
    missing = column_markers(X, range(X.shape[1]))
    encoder = None
    if len(categorical):
        values = X[:, categorical]
        holes = is_missing(values)
        for j, column in enumerate(categorical):
            if holes[:, j].all():
                raise ValueError(
                    f"Categorical column {column} holds missing values only, so it has no "
                    "category to learn. Drop it, or pass categorical_features without it."
                )
        for j, column in enumerate(categorical):
            _check_one_kind(values[~holes[:, j], j], column, names)
        encoder = OneHotEncoder(sparse_output=False, dtype=np.float32)
        encoder.fit(_filled(values, holes))
    return ColumnLayout(
        numeric, np.asarray(categorical, np.int64), encoder, whole, numeric_dtypes, missing, grid
    )


def _check_one_kind(values: np.ndarray, column: int, names=None) -> None:
    """Raise a ValueError naming ``column`` when its observed values mix strings with numbers
    (or other kinds), which have no common order to sort categories by."""
    if values.dtype.kind != "O":
        return
    kinds = {
        "string" if isinstance(v, str) else "number" if isinstance(v, Number) else type(v)
        for v in values.tolist()
    }
    if len(kinds) > 1:
        name = f"{names[column]!r} (position {column})" if names is not None else f"{column}"
        found = sorted({type(v).__name__ for v in values.tolist()})
        raise ValueError(
            f"Categorical column {name} mixes values of types {found}, which cannot be sorted "
            "into one set of categories. Make it one kind: X[column] = X[column].astype(str) "
            "for categories, or numbers only (with the column left out of "
            "categorical_features) for a numeric column."
        )


def _filled(values: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """Categorical ``values`` with each missing cell replaced by a value its column holds, so
    that a ``OneHotEncoder`` sees no missing category (the cells are zeroed after encoding)."""
    if not holes.any():
        return values
    values = values.copy()
    for j in np.flatnonzero(holes.any(axis=0)):
        values[holes[:, j], j] = values[np.argmin(holes[:, j]), j]
    return values


def _numpy_dtype(dtype, default) -> np.dtype:
    """The NumPy dtype behind a column dtype (int64 for pandas' Int64), or ``default``."""
    try:
        return np.dtype(getattr(dtype, "numpy_dtype", dtype))
    except TypeError:
        return np.dtype(default)


def _whole_columns(X, numeric) -> np.ndarray:
    """Per numeric column: every value that is not missing is a whole number."""
    if sparse.issparse(X):
        columns = sparse.csc_matrix(X)[:, numeric]
        data = columns.data
        columns.data = ((data != np.round(data)) & ~np.isnan(data)).astype(np.float64)
        return np.asarray(columns.sum(axis=0)).ravel() == 0
    whole = np.ones(len(numeric), dtype=bool)
    for block in _numeric_blocks(X, numeric):
        whole &= np.all((block == np.round(block)) | np.isnan(block), axis=0)
    return whole


def _numeric_blocks(X, numeric):
    """The numeric columns of ``X``, ``CHUNK_ROWS`` rows at a time (see :func:`numeric_part`)."""
    for start in range(0, X.shape[0], CHUNK_ROWS):
        yield numeric_part(X[start : start + CHUNK_ROWS], numeric)


def one_hot(X, layout: ColumnLayout) -> tuple[np.ndarray, np.ndarray]:
    """The one-hot blocks of the categorical columns of ``X``, as float32, a block all zeros
    where its category is missing; and which cells are missing (rows x categorical
    columns)."""
    if layout.encoder is None:
        return np.zeros((X.shape[0], 0), dtype=np.float32), np.zeros((X.shape[0], 0), bool)
    values = X[:, layout.categorical]
    holes = is_missing(values)
    encoded = layout.encoder.transform(_filled(values, holes))
    if holes.any():
        start = 0
        for j, size in enumerate(layout.group_sizes):
            encoded[holes[:, j], start : start + size] = 0.0
            start += size
    return encoded, holes


def assemble(numeric_values, codes, layout: ColumnLayout, dtype) -> np.ndarray:
    """Rows in the caller's column order and ``dtype`` from generated numeric values (already
    rounded and clipped) and the category code of each categorical column."""
    out = np.empty((len(numeric_values), len(layout.numeric) + len(layout.categorical)), dtype)
    out[:, layout.numeric] = numeric_values
    for j, (column, categories) in enumerate(
        zip(layout.categorical, layout.categories, strict=True)
    ):
        out[:, column] = categories[codes[:, j]]
    return out
