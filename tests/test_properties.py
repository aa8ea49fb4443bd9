"""Property tests: every column type, container, label type and sampling_strategy form.

Hypothesis draws small tables (DataFrames of every dtype the sampler takes, numeric arrays,
object arrays with categorical columns), 2 to 4 classes of a few rows each, and a
sampling_strategy, and checks what ``fit_resample`` promises: the caller's rows first and
unchanged, exact counts, the input's dtypes, generated values that are categories of their
column and inside their class's range, finite numbers, and the caller's X and y untouched.

Training is kept to one epoch of a fixed small network, so that the compiled-model pool is
reused across examples; the default run takes about a minute on two cores. The slow variant
draws 2,000 examples of the three kinds of input (``pytest -m slow tests/test_properties.py``,
about ten minutes).
"""

import copy
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from imblearn.utils import check_sampling_strategy

from vae_oversampler import VAEOverSampler

INTEGER_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOAT_DTYPES = ["float32", "float64"]
# Columns of these kinds are categorical under categorical_features="auto".
CATEGORICAL_KINDS = [
    "bool",
    "boolean",
    "category_str",
    "category_int",
    "category_ordered",
    "category_bool",
    "object",
    "string",
    "str",
]
NUMERIC_KINDS = [*INTEGER_DTYPES, *FLOAT_DTYPES, "Int64"]
STRATEGIES = ["auto", "minority", "not minority", "not majority", "all", "float", "dict", "call"]

WORDS = ["a", "b", "cc", "d e", "ü", ""]


def sampler(**params):
    return VAEOverSampler(
        **{
            "epochs": 1,
            "hidden_layer_sizes": (8,),
            "latent_dim": 2,
            "random_state": 0,
            **params,
        }
    )


class GrowEveryClassByOne:
    """A callable sampling_strategy: every class ends one row above the majority."""

    def __call__(self, y):
        counts = Counter(np.asarray(y).tolist())
        return {label: max(counts.values()) + 1 for label in counts}

    def __repr__(self):
        return "GrowEveryClassByOne()"


class Case:
    """One drawn input, with a repr that rebuilds it (dtypes included)."""

    def __init__(self, X, y, params):
        self.X, self.y, self.params = X, y, params

    def __repr__(self):
        if isinstance(self.X, pd.DataFrame):
            columns = ", ".join(
                f"{name!r}: pd.Series({self.X[name].tolist()!r}, dtype={_dtype_repr(dtype)})"
                for name, dtype in self.X.dtypes.items()
            )
            X = f"pd.DataFrame({{{columns}}})"
        else:
            X = f"np.array({self.X.tolist()!r}, dtype={self.X.dtype.name!r})"
        y = np.asarray(self.y).tolist()
        return f"Case(X={X}, y={type(self.y).__name__}({y!r}), params={self.params!r})"


def _dtype_repr(dtype):
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories.tolist()
        return f"pd.CategoricalDtype({categories!r}, ordered={dtype.ordered})"
    return repr(str(dtype))


@st.composite
def labels_and_strategies(draw, max_classes=4, max_rows=6):
    """``y`` (shuffled, int or str labels, as an array, list or Series) and a
    sampling_strategy, every class with at least 2 rows."""
    n_classes = draw(st.integers(2, max_classes))
    if draw(st.booleans()):
        labels = draw(
            st.lists(st.integers(-3, 9), min_size=n_classes, max_size=n_classes, unique=True)
        )
    else:
        labels = draw(
            st.lists(
                st.text("xyzé", min_size=1, max_size=2),
                min_size=n_classes,
                max_size=n_classes,
                unique=True,
            )
        )
    sizes = draw(st.lists(st.integers(2, max_rows), min_size=n_classes, max_size=n_classes))
    y = np.repeat(np.array(labels), sizes)
    y = y[draw(st.permutations(range(len(y))))]
    counts = Counter(y.tolist())
    kind = draw(
        st.sampled_from(STRATEGIES if n_classes == 2 else [s for s in STRATEGIES if s != "float"])
    )
    if kind == "float":
        # imbalanced-learn wants at least one new row: int(ratio * majority) > minority.
        minority, majority = min(counts.values()), max(counts.values())
        strategy = "auto"
        if minority < majority:
            strategy = draw(st.floats(min(1.0, (minority + 1.5) / majority), 1.0))
    elif kind == "dict":
        chosen = draw(st.lists(st.sampled_from(labels), min_size=1, unique=True))
        strategy = {label: counts[label] + draw(st.integers(0, 4)) for label in chosen}
    elif kind == "call":
        strategy = GrowEveryClassByOne()
    else:
        strategy = kind
    container = draw(st.sampled_from(["array", "list", "series"]))
    if container == "list":
        y = y.tolist()
    elif container == "series":
        y = pd.Series(y, name="target")
    return y, strategy


def _integers(dtype, n, ends_only=False):
    """``n`` integers of ``dtype``: in a small range, anywhere in the dtype, or at its ends."""
    info = np.iinfo(dtype)
    low, high = int(info.min), int(info.max)
    # The dtype's ends, where noise or rounding past them must not wrap round.
    ends = st.sampled_from([low, low + 1, high - 1, high])
    if not ends_only:
        ends = st.one_of(st.integers(low, high), st.integers(max(low, -3), min(high, 12)), ends)
    return st.lists(ends, min_size=n, max_size=n)


def _floats(dtype, n):
    width = 32 if dtype == "float32" else 64
    value = st.floats(-1e6, 1e6, width=width, allow_subnormal=False) | st.integers(-5, 5).map(
        float
    )
    return st.lists(value, min_size=n, max_size=n)


@st.composite
def column(draw, kind, n):
    """A pandas Series of ``n`` values of column ``kind``."""
    if kind in INTEGER_DTYPES:
        return pd.Series(draw(_integers(kind, n)), dtype=kind)
    if kind in FLOAT_DTYPES:
        return pd.Series(draw(_floats(kind, n)), dtype=kind)
    if kind == "Int64":
        return pd.Series(draw(_integers("int64", n)), dtype="Int64")
    if kind in ("bool", "boolean"):
        return pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=kind)
    if kind.startswith("category"):
        pool = {"category_int": st.integers(-2, 40), "category_bool": st.booleans()}.get(
            kind, st.sampled_from(WORDS)
        )
        size = 2 if kind == "category_bool" else 4
        categories = draw(st.lists(pool, min_size=1, max_size=size, unique=True))
        if kind != "category_ordered":
            categories = sorted(categories)
        values = draw(st.lists(st.sampled_from(categories), min_size=n, max_size=n))
        dtype = pd.CategoricalDtype(categories, ordered=kind == "category_ordered")
        return pd.Series(values, dtype=dtype)
    values = draw(st.lists(st.sampled_from(WORDS[:4]), min_size=n, max_size=n))
    return pd.Series(values, dtype={"object": object, "string": "string", "str": str}[kind])


@st.composite
def frames(draw, max_columns=6):
    y, strategy = draw(labels_and_strategies())
    n = len(y)
    kinds = draw(
        st.lists(
            st.sampled_from(NUMERIC_KINDS + CATEGORICAL_KINDS), min_size=1, max_size=max_columns
        )
    )
    X = pd.DataFrame({f"{kind}_{i}": draw(column(kind, n)) for i, kind in enumerate(kinds)})
    return Case(X, y, {"sampling_strategy": strategy})


@st.composite
def arrays(draw, max_columns=6):
    """A numeric array (float32, float64 or an integer dtype), maybe with category codes, or
    an object array with string columns given in categorical_features."""
    y, strategy = draw(labels_and_strategies())
    n = len(y)
    n_columns = draw(st.integers(1, max_columns))
    params = {"sampling_strategy": strategy}
    if draw(st.booleans()):
        # A numeric array keeps its dtype, so integers may fill all 64 bits.
        dtype = draw(st.sampled_from(FLOAT_DTYPES + INTEGER_DTYPES))
        if dtype in FLOAT_DTYPES:
            columns = [draw(_floats(dtype, n)) for _ in range(n_columns)]
        else:
            columns = [draw(_integers(dtype, n)) for _ in range(n_columns)]
        X = np.array(columns, dtype=dtype).T
        codes = draw(st.lists(st.integers(0, n_columns - 1), max_size=n_columns, unique=True))
        if codes:
            for j in codes:
                X[:, j] = np.array(
                    draw(st.lists(st.sampled_from([0, 1, 7]), min_size=n, max_size=n)), dtype=dtype
                )
            params["categorical_features"] = sorted(codes)
    else:
        # At least one string column: an object array of numbers only is validated as float64.
        strings = draw(st.lists(st.booleans(), min_size=n_columns, max_size=n_columns))
        strings[draw(st.integers(0, n_columns - 1))] = True
        columns = [
            draw(st.lists(st.sampled_from(WORDS), min_size=n, max_size=n))
            if is_string
            else draw(_floats("float64", n) | _integers("int64", n))
            for is_string in strings
        ]
        X = np.empty((n, n_columns), dtype=object)
        for j, values in enumerate(columns):
            X[:, j] = values
        params["categorical_features"] = [j for j, s in enumerate(strings) if s]
    return Case(X, y, params)


@st.composite
def integers_at_their_ends(draw):
    """One integer column at its dtype's ends, alone in an array or beside a column of any
    kind in a DataFrame."""
    y, strategy = draw(labels_and_strategies(max_classes=3, max_rows=4))
    dtype = draw(st.sampled_from(INTEGER_DTYPES))
    if draw(st.booleans()):
        X = np.array(draw(_integers(dtype, len(y), ends_only=True)), dtype=dtype)
        return Case(X[:, None], y, {"sampling_strategy": strategy})
    values = pd.Series(draw(_integers(dtype, len(y), ends_only=True)), dtype=dtype)
    other = draw(st.sampled_from(NUMERIC_KINDS + CATEGORICAL_KINDS))
    X = pd.DataFrame({dtype: values, other: draw(column(other, len(y)))})
    return Case(X, y, {"sampling_strategy": strategy})


def _expected_new_rows(y, strategy):
    """New rows per class, as imbalanced-learn's own samplers add them."""
    targets = check_sampling_strategy(strategy, np.asarray(y), "over-sampling")
    return {label: n for label, n in targets.items() if n > 0}


def _same_frame(a, b):
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def check_resampling(case, **params):
    X, y = case.X, case.y
    X_before, y_before = copy.deepcopy(X), copy.deepcopy(y)
    n = len(y)
    y_array = np.asarray(y)
    expected = _expected_new_rows(y, case.params["sampling_strategy"])
    note(f"expected new rows: {expected}")

    fitted = sampler(**case.params, **params)
    X_res, y_res = fitted.fit_resample(X, y)

    # The caller's X and y are untouched.
    if isinstance(X, pd.DataFrame):
        _same_frame(X, X_before)
    else:
        assert X.dtype == X_before.dtype and np.array_equal(X, X_before)
    if isinstance(y, pd.Series):
        pd.testing.assert_series_equal(y, y_before)
    else:
        assert type(y) is type(y_before) and np.array_equal(np.asarray(y), np.asarray(y_before))

    # y: same container, the caller's labels first, then exactly the expected new ones.
    assert type(y_res) is type(y)
    y_res_array = np.asarray(y_res)
    assert y_res_array.dtype == y_array.dtype
    assert np.array_equal(y_res_array[:n], y_array)
    assert Counter(y_res_array[n:].tolist()) == Counter(expected)
    assert len(y_res_array) == n + sum(expected.values())
    assert {label: k for label, k in fitted.sampling_strategy_.items() if k} == expected

    # X: same container and dtypes, the caller's rows first, unchanged and in order.
    assert type(X_res) is type(X)
    if isinstance(X, pd.DataFrame):
        assert X_res.dtypes.equals(X.dtypes)
        _same_frame(X_res.iloc[:n], X)
        check_new_frame_rows(X, y_array, X_res.iloc[n:], y_res_array[n:], params)
    else:
        assert X_res.dtype == X.dtype and X_res.shape == (len(y_res_array), X.shape[1])
        assert np.array_equal(X_res[:n], X)
        check_new_array_rows(case, X_res[n:], y_res_array[n:], params)

    # sample() draws more rows of a grown class, as valid and in the same container.
    for label in list(expected)[:1]:
        more, labels = fitted.sample(3, label, random_state=0), np.full(3, label)
        assert type(more) is type(X) and len(more) == 3
        if isinstance(X, pd.DataFrame):
            assert more.dtypes.equals(X.dtypes)
            check_new_frame_rows(X, y_array, more, labels, params)
        else:
            assert more.dtype == X.dtype
            check_new_array_rows(case, more, labels, params)
    return fitted


def check_new_frame_rows(X, y, new, y_new, params):
    for name, dtype in X.dtypes.items():
        values = new[name]
        if X[name].isna().all():
            # A column no class observes stays missing in every new row.
            assert values.isna().all(), name
            continue
        assert values.notna().all(), name
        if isinstance(dtype, pd.CategoricalDtype):
            assert values.isin(dtype.categories).all(), name
            assert values.cat.ordered == dtype.ordered
            continue
        if pd.api.types.is_bool_dtype(dtype):
            assert {type(v) for v in values.tolist()} <= {bool}, name
            continue
        if not pd.api.types.is_numeric_dtype(dtype):
            assert values.isin(set(X[name])).all(), name
            assert {type(v) for v in values.tolist()} <= {type(v) for v in X[name].tolist()}
            continue
        for label in np.unique(y_new):
            real, made = X[name][y == label], values[y_new == label]
            if pd.api.types.is_float_dtype(dtype):
                assert np.isfinite(made.to_numpy()).all(), name
            if params.get("clip", True):
                # Integers as float64, the precision the sampler computes in (64-bit ones
                # beyond 2**53 round to their nearest float64).
                if not pd.api.types.is_float_dtype(dtype):
                    real, made = real.astype(np.float64), made.astype(np.float64)
                assert made.between(real.min(), real.max()).all(), (name, label)


def check_new_array_rows(case, new, y_new, params):
    X, y = case.X, np.asarray(case.y)
    categorical = case.params.get("categorical_features") or []
    for j in range(X.shape[1]):
        if j in categorical:
            assert set(new[:, j].tolist()) <= set(X[:, j].tolist()), j
            continue
        assert np.isfinite(new[:, j].astype(np.float64)).all(), j
        if not params.get("clip", True):
            continue
        for label in np.unique(y_new):
            # Compared as float64, the precision the sampler computes in (64-bit integers
            # beyond 2**53 round to their nearest float64).
            real = X[y == label, j].astype(np.float64)
            made = new[y_new == label, j].astype(np.float64)
            assert real.min() <= made.min() and made.max() <= real.max(), (j, label)


@pytest.mark.parametrize("dtype", ["int64", "uint64"])
def test_64_bit_integers_at_the_top_of_their_dtype(dtype):
    # float(2**63 - 1) and float(2**64 - 1) round up past the dtype, and casting them back
    # wrapped round: a class of rows at the top of uint64 got zeros, one of int64, -2**63.
    top = int(np.iinfo(dtype).max)
    X = np.array([[0], [1], [2], [3], [top], [top - 1]], dtype=dtype)
    y = np.array([0, 0, 0, 0, 1, 1])
    X_res, _ = sampler(sampling_strategy={1: 10}).fit_resample(X, y)
    assert X_res.dtype == X.dtype and np.array_equal(X_res[:6], X)
    assert (X_res[6:] == top).all()


COMMON = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "print_blob": False,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
OPTIONS = st.fixed_dictionaries(
    {"early_stopping": st.booleans(), "clip": st.booleans()},
    optional={
        "decoder_output": st.sampled_from(["sample", "mean"]),
        "latent_sampling": st.sampled_from(["prior", "interpolate"]),
    },
)


@settings(max_examples=100, **COMMON)
@given(case=frames(), options=OPTIONS)
def test_dataframes_of_every_dtype(case, options):
    check_resampling(case, **options)


@settings(max_examples=40, **COMMON)
@given(case=arrays(), options=OPTIONS)
def test_numeric_and_object_arrays(case, options):
    check_resampling(case, **options)


@settings(max_examples=40, **COMMON)
@given(case=integers_at_their_ends(), options=OPTIONS)
def test_integers_at_the_ends_of_their_dtype(case, options):
    check_resampling(case, **options)


@st.composite
def careless_frames(draw):
    """A frame as ``frames`` draws it, with a nullable integer column of ``pd.NA`` only (a
    column that no class observes) put in at a drawn position."""
    case = draw(frames(max_columns=4))
    dtype = draw(st.sampled_from(["Int64", "UInt8", "Int32"]))
    position = draw(st.integers(0, case.X.shape[1]))
    case.X.insert(position, "all_missing", pd.array([pd.NA] * len(case.X), dtype=dtype))
    return case


@settings(max_examples=30, **COMMON)
@given(case=careless_frames(), options=OPTIONS)
def test_a_nullable_column_of_missing_values_only(case, options):
    check_resampling(case, **options)


@settings(max_examples=20, **COMMON)
@given(
    case=frames(max_columns=3),
    values=st.lists(st.one_of(st.integers(-5, 5), st.floats(-1, 1)), min_size=1, max_size=3),
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
)
def test_a_column_mixing_numbers_and_strings_is_named_in_the_error(case, values, words):
    mixed = (values + words) * len(case.X)
    case.X["mixed"] = pd.Series(mixed[: len(case.X)], dtype=object)
    if {type(v) is str for v in case.X["mixed"]} != {True, False}:
        return  # the rows took only one kind
    with pytest.raises(ValueError, match=r"Categorical column 'mixed' \(position \d+\) mixes"):
        sampler(**case.params).fit_resample(case.X, case.y)


@pytest.mark.slow
@settings(max_examples=2000, **{**COMMON, "derandomize": False, "print_blob": True})
@given(case=frames() | arrays() | integers_at_their_ends(), options=OPTIONS)
def test_every_input_many_examples(case, options):
    check_resampling(case, **options)
