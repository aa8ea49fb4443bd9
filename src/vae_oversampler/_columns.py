"""The columns of a table: which are categorical, which hold whole numbers, and their ranges.

The VAE sees each row as its numeric columns (standardised per class) followed by a one-hot
block per categorical column. This module finds those columns, encodes rows into that layout
and puts generated values back into the caller's column order and dtype.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import check_array
from sklearn.utils._indexing import _get_column_indices


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

    @property
    def categories(self) -> list:
        """The sorted categories of each categorical column."""
        return [] if self.encoder is None else list(self.encoder.categories_)

    @property
    def group_sizes(self) -> tuple:
        """Width of each categorical column's one-hot block."""
        return tuple(len(c) for c in self.categories)

    @property
    def n_encoded(self) -> int:
        return len(self.numeric) + sum(self.group_sizes)


# Rows checked at a time for whole numbers, to keep temporaries small on big tables.
CHUNK_ROWS = 65_536


def numeric_part(X, numeric) -> np.ndarray:
    """The numeric columns of ``X`` as a finite float array (sparse X is densified).

    float32 stays float32, so a big float32 class is not copied into float64; anything else
    becomes float64.
    """
    columns = X if len(numeric) == X.shape[1] else X[:, numeric]
    columns = columns.toarray() if sparse.issparse(columns) else columns
    try:
        return check_array(
            columns, dtype=[np.float64, np.float32], order="C", ensure_min_features=0
        )
    except ValueError as exc:
        raise ValueError(
            f"The columns that categorical_features leaves numeric must hold finite numbers: "
            f"{exc} Impute missing values first, or list the column in categorical_features."
        ) from None


def fit_layout(X, categorical, dtypes=None) -> ColumnLayout:
    """Read the layout of ``X`` given the indices of its categorical columns.

    ``dtypes`` are the caller's column dtypes when X was a DataFrame (validated into one
    float64 or object array, which no longer says that a column was uint8, say); None means
    X's own dtype for every column.
    """
    numeric = np.setdiff1d(np.arange(X.shape[1]), categorical)
    numeric_dtypes = tuple(
        X.dtype if dtypes is None else _numpy_dtype(dtypes[i], X.dtype) for i in numeric
    )
    whole = _whole_columns(X, numeric)
    for column in categorical:
        if _has_missing(X[:, column]):
            raise ValueError(
                f"Categorical column {column} holds missing values (None or NaN). Impute them "
                "first, for example with SimpleImputer(strategy='most_frequent'), or make "
                "'missing' a category of its own."
            )
    encoder = None
    if len(categorical):
        encoder = OneHotEncoder(sparse_output=False, dtype=np.float32)
        encoder.fit(X[:, categorical])
    return ColumnLayout(numeric, np.asarray(categorical, np.int64), encoder, whole, numeric_dtypes)


def _numpy_dtype(dtype, default) -> np.dtype:
    """The NumPy dtype behind a column dtype (int64 for pandas' Int64), or ``default``."""
    try:
        return np.dtype(getattr(dtype, "numpy_dtype", dtype))
    except TypeError:
        return np.dtype(default)


def _has_missing(values: np.ndarray) -> bool:
    """Whether an object column holds None, NaN or pandas' NA."""
    try:
        import pandas as pd
    except ImportError:
        return any(v is None or (isinstance(v, float) and v != v) for v in values)
    return bool(pd.isna(values).any())


def _whole_columns(X, numeric) -> np.ndarray:
    """Per numeric column: every value is a whole number."""
    if sparse.issparse(X):
        columns = sparse.csc_matrix(X)[:, numeric]
        columns.data = (columns.data != np.round(columns.data)).astype(np.float64)
        return np.asarray(columns.sum(axis=0)).ravel() == 0
    whole = np.ones(len(numeric), dtype=bool)
    for start in range(0, X.shape[0], CHUNK_ROWS):
        block = numeric_part(X[start : start + CHUNK_ROWS], numeric)
        whole &= np.all(block == np.round(block), axis=0)
    return whole


def one_hot(X, layout: ColumnLayout) -> np.ndarray:
    """The one-hot blocks of the categorical columns of ``X``, as float32."""
    if layout.encoder is None:
        return np.zeros((X.shape[0], 0), dtype=np.float32)
    return layout.encoder.transform(X[:, layout.categorical])


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
