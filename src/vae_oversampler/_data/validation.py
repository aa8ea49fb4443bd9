"""Input checks whose errors say what is wrong and how to fix it."""

from collections import Counter

import numpy as np
from imblearn.utils import check_target_type
from scipy import sparse
from sklearn.utils import check_random_state as sklearn_check_random_state
from sklearn.utils.validation import validate_data

from .columns import categorical_indices

_HINTS = (
    (
        "contains infinity",
        "Replace or drop the infinite values (for example with numpy.nan_to_num or by "
        "clipping) before resampling; a VAE can only learn finite numbers.",
    ),
    (
        "Found array with dim",
        "X must be 2-D, one row per sample: flatten images with X.reshape(len(X), -1).",
    ),
    (
        "Expected 2D array",
        "X must be 2-D, one row per sample and one column per feature.",
    ),
    (
        "inconsistent numbers of samples",
        "X and y must have one entry per sample each: check that they were split or filtered "
        "together.",
    ),
)


def explain_input_error(exc: ValueError) -> ValueError:
    """Return ``exc`` with a hint on how to fix it appended, when one is known."""
    message = str(exc)
    for needle, hint in _HINTS:
        if needle in message:
            return ValueError(f"{message}\n{hint}")
    return exc


def _holds_numbers(dtype) -> bool:
    """Whether a DataFrame column of ``dtype`` holds numbers or bools, not categories.

    pandas calls a ``category`` of bools a bool dtype; it is a category here.
    """
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype):
        return False
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def reject_non_numeric(X) -> None:
    """Raise a ValueError naming the non-numeric columns of ``X``, if it has any."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(dtypes, "items"):
        bad = [str(name) for name, dtype in dtypes.items() if not _holds_numbers(dtype)]
        if bad:
            raise ValueError(
                f"Column(s) {bad} are not numeric and not declared categorical. Pass "
                f"categorical_features={bad!r} (or categorical_features='auto', which takes "
                "category, object, string and bool columns) to model them as categories."
            )
        return
    if sparse.issparse(X) or (isinstance(X, np.ndarray) and X.dtype.kind not in "OUS"):
        return
    try:
        np.asarray(X, dtype=np.float64)
    except ValueError as exc:
        raise ValueError(
            f"X holds values that are not numbers ({exc}). Pass the positions of the "
            "categorical columns as categorical_features=[...] to model them as categories."
        ) from None


# float64 holds every integer up to 2**53 exactly and rounds beyond it.
EXACT_INTEGERS = 2**53


def holds_big_integers(X) -> bool:
    """Whether DataFrame ``X`` has an integer column holding integers beyond 2**53, which
    float64 rounds (nanosecond timestamps are such integers)."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return False
    for name, dtype in dtypes.items():
        numpy_dtype = getattr(dtype, "numpy_dtype", dtype)
        if isinstance(numpy_dtype, np.dtype) and numpy_dtype.kind in "iu":
            column = X[name].dropna()  # a nullable column may be all pd.NA
            if len(column) and max(-int(column.min()), int(column.max())) > EXACT_INTEGERS:
                return True
    return False


def mixed_dtype(X):
    """The dtype to validate a table with categorical columns in: ``object`` for a DataFrame
    with a column that is not numeric or bool (any ``category``, strings, objects), else None
    (X's own).

    With None, scikit-learn casts a DataFrame that has a bool or nullable column to float64,
    which fails on a column of strings and turns a category of bools into numbers that are not
    its categories.
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return None
    return None if all(_holds_numbers(d) for _, d in dtypes.items()) else object


def check_mixed_input(X, image_shape) -> None:
    """Raise a ValueError when categorical columns meet an input that cannot have them."""
    if image_shape is not None:
        raise ValueError(
            "categorical_features and image_shape cannot be combined: image rows are pixels "
            "only. Pass categorical_features=None with image_shape."
        )
    if sparse.issparse(X):
        raise ValueError(
            "Categorical columns need a dense X or a DataFrame, but X is a sparse matrix. "
            "Densify it with X.toarray(), or pass categorical_features=None to treat every "
            "column as a number."
        )


def check_image_missing(X) -> None:
    """Raise a ValueError if image rows ``X`` (validated, dense or sparse) hold NaN."""
    values = X.data if sparse.issparse(X) else X
    if np.isnan(values).any():
        raise ValueError(
            "X holds missing values (NaN), which image rows cannot have: the convolutional "
            "VAE needs every pixel. Fill them (for example with 0, the background) before "
            "resampling, or pass image_shape=None to model the rows as a table with holes."
        )


def check_class_sizes(y: np.ndarray, targets: dict) -> None:
    """Raise a ValueError if a class to over-sample has fewer than two rows."""
    counts = Counter(y.tolist())
    small = {plain(label): counts[label] for label in targets if counts[label] < 2}
    if small:
        raise ValueError(
            f"Class(es) {small} (label: rows) have fewer than 2 rows, too few to train a VAE. "
            "Leave them out of sampling_strategy (pass a dict of the classes to grow), or use "
            "imblearn's RandomOverSampler for them."
        )


def plain(label):
    """A NumPy scalar label as the Python value it holds, for readable messages."""
    return label.item() if isinstance(label, np.generic) else label


def check_table(estimator, X, y, categorical_features, image_shape, accept_sparse=None):
    """Validate ``X`` and ``y`` for ``estimator`` (which records ``n_features_in_`` and
    ``feature_names_in_``) and return ``(X, y, binarize_y, categorical)``: X as one array
    (object for mixed tables, or for integers that float64 would round), y checked as
    imbalanced-learn checks it, and the indices of X's categorical columns."""
    given = X
    columns = X if hasattr(X, "shape") else np.asarray(X, dtype=object)
    categorical = categorical_indices(columns, categorical_features)
    if categorical.size == 0:
        reject_non_numeric(X)
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        try:
            X, y = validate_data(
                estimator,
                X=X,
                y=y,
                reset=True,
                accept_sparse=accept_sparse or ["csr", "csc"],
                ensure_all_finite="allow-nan",
            )
        except ValueError as exc:
            raise explain_input_error(exc) from exc
        if image_shape is not None:
            check_image_missing(X)
    else:
        check_mixed_input(X, image_shape)
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(
            estimator, X=X, y=y, reset=True, dtype=mixed_dtype(X), ensure_all_finite=False
        )
    if X.dtype.kind in "fO" and holds_big_integers(given):
        # The caller's rows come back from X: float64 would have rounded these integers.
        X = given.to_numpy(dtype=object)
    return X, y, binarize_y, categorical


def check_random_state(random_state) -> np.random.RandomState:
    """``check_random_state``, except that ``None`` seeds a new generator from the OS.

    scikit-learn's ``None`` means NumPy's global generator, which drawing from would change;
    the sampler promises to leave global random states as it found them.
    """
    if random_state is None:
        return np.random.RandomState(np.random.SeedSequence().generate_state(1)[0])
    return sklearn_check_random_state(random_state)
