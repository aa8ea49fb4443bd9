"""Mixed tables: categorical, integer and boolean columns come back valid, in their dtypes."""

import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from vae_oversampler import VAEOverSampler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from datasets import DATA_DIR, load_keel  # noqa: E402

KEEL = DATA_DIR / "keel"


def total_variation(real: pd.Series, generated: pd.Series) -> float:
    p = real.value_counts(normalize=True)
    q = generated.value_counts(normalize=True)
    return 0.5 * p.sub(q, fill_value=0).abs().sum()


@pytest.mark.parametrize("name", ["car-good", "kr-vs-k-zero-one_vs_draw", "abalone9-18"])
def test_keel_categorical_sets(name):
    path = KEEL / f"{name}.dat"
    if not path.exists():
        pytest.skip(f"{path} is not here: set VAE_OVERSAMPLER_DATA to the shared data folder")
    X, y = load_keel(path)
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    assert categorical
    X_res, y_res = VAEOverSampler(random_state=0).fit_resample(X, y)
    assert X_res.dtypes.equals(X.dtypes)
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    new, real = X_res.iloc[len(X) :], X[y == 1]
    assert (y_res[len(X) :] == 1).all() and len(new) == (y == 0).sum() - (y == 1).sum()
    for column in categorical:
        # A value that is not a category would have become NaN in the category dtype.
        assert new[column].notna().all()
        assert list(new[column].cat.categories) == list(X[column].cat.categories)
        assert total_variation(real[column], new[column]) <= 0.15, column
    for column in X.columns.difference(categorical):
        assert new[column].between(real[column].min(), real[column].max()).all()


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.RandomState(0)
    n = 400
    y = np.r_[np.zeros(300, int), np.ones(100, int)]
    colour = np.where(y == 1, rng.choice(["red", "green"], n, p=[0.8, 0.2]), "blue")
    X = pd.DataFrame(
        {
            "count": (rng.poisson(3, n) + 5 * y).astype(np.int32),
            "flag": (rng.rand(n) < np.where(y == 1, 0.9, 0.2)),
            "amount": rng.gamma(2.0, 10.0, n) + 20 * y,
            "size": pd.Categorical(
                rng.choice(["S", "M", "L"], n), categories=["S", "M", "L"], ordered=True
            ),
            "colour": colour.astype(object),
            "whole": rng.randint(0, 4, n).astype(float),
        }
    )
    return X, y


def test_mixed_dataframe_keeps_dtypes_and_valid_values(mixed):
    X, y = mixed
    before = X.copy()
    sampler = VAEOverSampler(random_state=0, sampling_strategy={1: 300})
    X_res, y_res = sampler.fit_resample(X, y)
    pd.testing.assert_frame_equal(X, before)
    assert X_res.dtypes.equals(X.dtypes)
    assert X_res["size"].cat.ordered and list(X_res["size"].cat.categories) == ["S", "M", "L"]
    np.testing.assert_array_equal(sampler.categorical_features_, [1, 3, 4])
    assert [list(c) for c in sampler.categories_] == [
        [False, True],
        ["L", "M", "S"],
        ["blue", "green", "red"],
    ]
    new, real = X_res.iloc[len(X) :], X[y == 1]
    assert len(new) == 200 and (y_res[len(X) :] == 1).all()
    assert set(new["colour"]) <= {"red", "green"}  # the class never holds "blue"
    assert new["size"].notna().all()
    # Whole-number columns stay whole and inside the class's range.
    assert (new["whole"] == np.round(new["whole"])).all()
    for column in ["count", "amount", "whole"]:
        assert new[column].between(real[column].min(), real[column].max()).all()
    # The flag keeps roughly its frequency in the class (0.9).
    assert abs(new["flag"].mean() - real["flag"].mean()) < 0.15
    assert total_variation(real["colour"], new["colour"]) <= 0.15


def test_sample_returns_the_same_dtypes(mixed):
    X, y = mixed
    sampler = VAEOverSampler(random_state=0, epochs=2)
    sampler.fit_resample(X, y)
    new = sampler.sample(7, 1, random_state=0)
    assert isinstance(new, pd.DataFrame) and new.dtypes.equals(X.dtypes) and len(new) == 7


def test_the_ways_to_name_categorical_columns_agree(mixed):
    X, y = mixed
    expected = [1, 3, 4]
    mask = np.isin(np.arange(X.shape[1]), expected)
    for key in [expected, [-5, 3, -2], mask, ["flag", "size", "colour"]]:
        sampler = VAEOverSampler(categorical_features=key, epochs=1, random_state=0)
        sampler.fit_resample(X, y)
        np.testing.assert_array_equal(sampler.categorical_features_, expected)


def test_numpy_codes_come_back_as_codes():
    rng = np.random.RandomState(0)
    y = np.r_[np.zeros(150, int), np.ones(50, int)]
    X = np.c_[rng.normal(size=200), rng.choice([10.0, 20.0, 30.0], 200), rng.normal(size=200)]
    X_res, _ = VAEOverSampler(categorical_features=[1], random_state=0).fit_resample(X, y)
    assert X_res.dtype == np.float64
    assert set(np.unique(X_res[200:, 1])) <= {10.0, 20.0, 30.0}
    strings = X.astype(object)
    strings[:, 1] = np.where(X[:, 1] == 10.0, "a", "b")
    X_res, _ = VAEOverSampler(categorical_features=[1], random_state=0).fit_resample(strings, y)
    assert X_res.dtype == object and set(X_res[200:, 1]) <= {"a", "b"}


def test_a_table_of_categories_only(mixed):
    X, y = mixed
    only = X[["size", "colour"]]
    X_res, _ = VAEOverSampler(random_state=0, epochs=5).fit_resample(only, y)
    assert X_res.dtypes.equals(only.dtypes) and X_res.notna().all().all()


def test_mixed_resampling_is_reproducible_and_pickles(mixed):
    X, y = mixed
    a, _ = VAEOverSampler(random_state=3, epochs=2).fit_resample(X, y)
    sampler = VAEOverSampler(random_state=3, epochs=2)
    b, _ = sampler.fit_resample(X, y)
    pd.testing.assert_frame_equal(a, b)
    copy = pickle.loads(pickle.dumps(sampler))
    pd.testing.assert_frame_equal(
        copy.sample(9, 1, random_state=1), sampler.sample(9, 1, random_state=1)
    )


def test_whole_numbers_and_clip_on_plain_arrays():
    rng = np.random.RandomState(0)
    y = np.r_[np.zeros(300, int), np.ones(100, int)]
    X = np.c_[rng.randint(0, 10, 400).astype(float), rng.normal(size=400)]
    clipped, _ = VAEOverSampler(random_state=0).fit_resample(X, y)
    new = clipped[400:]
    assert (new[:, 0] == np.round(new[:, 0])).all() and (new[:, 1] != np.round(new[:, 1])).any()
    low, high = X[y == 1].min(axis=0), X[y == 1].max(axis=0)
    assert ((new >= low) & (new <= high)).all()
    free, _ = VAEOverSampler(random_state=0, clip=False).fit_resample(X, y)
    assert ((free[400:] < low) | (free[400:] > high)).any()


@pytest.mark.parametrize(
    "params, data, match",
    [
        ({"categorical_features": ["nope"]}, "frame", "does not name columns of X"),
        ({"categorical_features": [True, False]}, "frame", "one entry per column of X"),
        ({"categorical_features": [1]}, "sparse", "sparse matrix.*X.toarray"),
        ({"categorical_features": [1], "image_shape": (2, 3, 1)}, "frame", "cannot be combined"),
    ],
)
def test_mixed_input_errors(mixed, params, data, match):
    X, y = mixed
    if data == "sparse":
        X = sparse.csr_matrix(X[["count", "amount"]].to_numpy(dtype=float))
    with pytest.raises(ValueError, match=match):
        VAEOverSampler(**params).fit_resample(X, y)


def test_pandas_string_and_nullable_integer_dtypes_survive(mixed):
    X, y = mixed
    X = X.assign(colour=X["colour"].astype("string"), count=X["count"].astype("Int64"))
    X_res, _ = VAEOverSampler(random_state=0, epochs=2).fit_resample(X, y)
    assert X_res.dtypes.equals(X.dtypes)
    new = X_res.iloc[len(X) :]
    assert new["colour"].isin(["red", "green", "blue"]).all() and new["count"].notna().all()


@pytest.mark.parametrize("numeric", ["bool", "Int64"])
def test_string_categories_beside_columns_pandas_casts_early(numeric):
    # A bool or nullable column made scikit-learn cast the whole frame to float64, which failed
    # on the category of strings ("Cannot cast str dtype to float64") unless an object column
    # was there too.
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.15).astype(int)
    X = pd.DataFrame(
        {
            "a": rng.integers(0, 9, 300),
            "smoker": pd.Series(rng.random(300) < 0.3).astype(numeric),
            "x": rng.normal(size=300),
            "region": pd.Categorical(rng.choice(["n", "s"], 300)),
        }
    )
    X_res, y_res = VAEOverSampler(random_state=0, epochs=2).fit_resample(X, y)
    assert X_res.dtypes.equals(X.dtypes) and (y_res == 1).sum() == (y == 0).sum()
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    assert X_res["region"].notna().all()


@pytest.mark.parametrize("other", ["category", "boolean", "float64"])
def test_unclipped_values_fit_each_columns_dtype(other):
    # With clip=False, a uint8 column's new values went back into the caller's dtype unclipped
    # whenever X was validated as float64 or object (the frame's other columns decide), and
    # pandas refused -1 ("Cannot losslessly cast from float64 to uint8", or OverflowError).
    rng = np.random.RandomState(0)
    n = 60
    others = {
        "category": pd.Categorical(rng.choice(["a", "b"], n)),  # X validated as object
        "boolean": pd.array(rng.rand(n) < 0.5, dtype="boolean"),  # as float64, categorical
        "float64": rng.rand(n),  # as float64, no categorical column
    }
    X = pd.DataFrame(
        {
            "u": np.where(rng.rand(n) < 0.5, 0, 255).astype(np.uint8),
            "i": rng.choice([-128, 127], n).astype(np.int8),
            "other": others[other],
        }
    )
    y = np.r_[np.zeros(40, int), np.ones(20, int)]
    params = {"clip": False, "epochs": 1, "hidden_layer_sizes": (8,), "random_state": 0}
    X_res, _ = VAEOverSampler(sampling_strategy={1: 400}, **params).fit_resample(X, y)
    assert X_res.dtypes.equals(X.dtypes)
    pd.testing.assert_frame_equal(X_res.iloc[:n], X)
    new = X_res.iloc[n:]
    # Noise reached past the dtypes' ends, so both ends were clamped to.
    assert set(new["u"]) >= {0, 255} and set(new["i"]) >= {-128, 127}


def test_a_category_of_bools_keeps_its_values():
    # pandas calls a category of bools a bool dtype, so the frame was validated as float64 and
    # every value, the caller's rows included, came back NaN in the category dtype.
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"x": rng.rand(40), "c": pd.Series(rng.rand(40) < 0.5).astype("category")})
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    X_res, _ = VAEOverSampler(random_state=0, epochs=1).fit_resample(X, y)
    pd.testing.assert_frame_equal(X_res.iloc[:40], X)
    assert X_res["c"].notna().all()
    with pytest.raises(ValueError, match=r"\['c'\] are not numeric.*categorical_features"):
        VAEOverSampler(categorical_features=None).fit_resample(X, y)


@pytest.mark.parametrize("other", ["float64", "int8", "category"])
def test_64_bit_integers_beyond_2_53_come_back_exact(other):
    # A frame whose columns make one float64 array (int64 beside a float, uint64 beside a
    # signed int) rounded the caller's own rows: nanosecond timestamps moved by up to 128 ns.
    rng = np.random.RandomState(0)
    n = 40
    stamps = 1_700_000_000_000_000_000 + rng.randint(0, 10**9, n)
    others = {
        "float64": rng.rand(n),
        "int8": rng.randint(-5, 5, n).astype(np.int8),
        "category": pd.Categorical(rng.choice(["a", "b"], n)),
    }
    X = pd.DataFrame(
        {
            "stamp": stamps.astype(np.int64),
            "big": np.uint64(2**64 - 1) - rng.randint(0, 3, n).astype(np.uint64),
            "other": others[other],
        }
    )
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    X_res, _ = VAEOverSampler(random_state=0, epochs=1).fit_resample(X, y)
    assert X_res.dtypes.equals(X.dtypes)
    pd.testing.assert_frame_equal(X_res.iloc[:n], X, check_exact=True)
    new, real = X_res.iloc[n:], X[y == 1]
    assert new["stamp"].between(real["stamp"].min() - 256, real["stamp"].max() + 256).all()
    assert (new["big"] >= np.uint64(2**64 - 4096)).all()
