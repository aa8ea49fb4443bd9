"""Missing values: tables with holes go in as they are; new rows carry the class's holes."""

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from vae_oversampler import VAEOverSampler, load

# New rows drawn to compare missing rates, and the simulated rows that calibrate them
# (_generation.generator.CALIBRATION_ROWS).
N_DRAWN = 4000
N_CALIBRATION = 4096


def rate_bar(rate):
    """Four standard errors of the difference between the share of holes among N_DRAWN new
    rows and the class's rate, which the calibration (itself a share among N_CALIBRATION
    simulated rows) aims at: a calibrated sampler passes with near certainty, while the
    uncalibrated draws missed by 0.06-0.11 on KEEL sets (docs/benchmarks_missing.md)."""
    return 4 * np.sqrt(rate * (1 - rate) * (1 / N_DRAWN + 1 / N_CALIBRATION))


def _table(seed=0, n_major=300, n_minor=150, rates=(0.1, 0.3, 0.0, 0.5)):
    """Correlated Gaussian rows; in the minority class column j is missing at rates[j]."""
    rng = np.random.RandomState(seed)
    cov = 0.6 * np.ones((4, 4)) + 0.4 * np.eye(4)
    X = np.vstack(
        [
            rng.multivariate_normal(np.zeros(4), cov, n_major),
            rng.multivariate_normal(np.full(4, 2.0), cov, n_minor),
        ]
    )
    y = np.r_[np.zeros(n_major, int), np.ones(n_minor, int)]
    minor = np.flatnonzero(y == 1)
    for j, rate in enumerate(rates):
        X[minor[rng.random_sample(n_minor) < rate], j] = np.nan
    return X, y


@pytest.fixture(scope="module")
def resampled():
    X, y = _table()
    given = X.copy()
    sampler = VAEOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    return X, y, given, sampler, X_res, y_res


def test_array_with_holes_keeps_originals_and_counts(resampled):
    X, _, given, _, X_res, y_res = resampled
    assert np.array_equal(X, given, equal_nan=True)  # the caller's X is not modified
    assert np.array_equal(X_res[: len(X)], X, equal_nan=True)
    assert np.bincount(y_res).tolist() == [300, 300]
    new = X_res[len(X) :]
    assert np.isfinite(new[~np.isnan(new)]).all()


@pytest.mark.parametrize("decoder_output", ["residual", "sample"])
def test_new_rows_have_the_class_missing_rates(resampled, decoder_output):
    X, y, _, sampler, X_res, _ = resampled
    real = np.isnan(X[y == 1]).mean(axis=0)
    assert np.isnan(X_res[len(X) :, 2]).sum() == 0  # a column without holes gets none
    sampler = VAEOverSampler(**{**sampler.get_params(), "decoder_output": decoder_output})
    sampler.fit_resample(X, y)
    new = np.isnan(sampler.sample(N_DRAWN, 1, random_state=1)).mean(axis=0)
    assert new[2] == 0.0
    assert (np.abs(new - real) <= rate_bar(real)).all(), (real, new)


def test_categorical_holes_come_at_the_class_rate_as_numeric_ones_do():
    rng = np.random.RandomState(5)
    n = 400
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c": pd.Series(rng.choice(["x", "y", "z"], n), dtype=object),
        }
    )
    y = (np.arange(n) % 5 == 0).astype(int)  # 80 rows
    X.loc[rng.random_sample(n) < 0.25, "c"] = None
    X.loc[rng.random_sample(n) < 0.25, "a"] = np.nan
    sampler = VAEOverSampler(random_state=0)
    sampler.fit_resample(X, y)
    real = X[y == 1].isna().mean().to_numpy()
    new = sampler.sample(N_DRAWN, 1, random_state=1).isna().mean().to_numpy()
    assert (np.abs(new - real) <= rate_bar(real)).all(), (real, new)


def test_observed_values_follow_the_class(resampled):
    X, y, _, _, X_res, _ = resampled
    new = X_res[len(X) :]
    for j in range(X.shape[1]):
        real_mean = np.nanmean(X[y == 1, j])
        assert abs(np.nanmean(new[:, j]) - real_mean) < 0.3, j


def test_columns_missing_together_stay_together():
    X, y = _table(rates=(0, 0, 0, 0))
    minor = np.flatnonzero(y == 1)
    together = minor[np.random.RandomState(1).random_sample(len(minor)) < 0.4]
    X[together, 0] = X[together, 1] = np.nan
    X_res, _ = VAEOverSampler(random_state=0).fit_resample(X, y)
    holes = np.isnan(X_res[len(X) :])
    assert 0.25 <= holes[:, 0].mean() <= 0.55
    # Among new rows with a hole in column 0 or 1, nearly all have both (independent draws
    # at the same rates: 25%).
    either = holes[:, 0] | holes[:, 1]
    assert (holes[either, 0] & holes[either, 1]).mean() >= 0.9
    assert not holes[:, 2:].any()


def test_a_column_missing_in_the_whole_class():
    X, y = _table(rates=(0.2, 0.0, 0.0, 1.0))
    X_res, _ = VAEOverSampler(random_state=0, epochs=5).fit_resample(X, y)
    new = X_res[len(X) :]
    assert np.isnan(new[:, 3]).all()
    assert not np.isnan(new[:, 1:3]).any()


def test_a_class_whose_rows_are_all_incomplete():
    X, y = _table(rates=(0, 0, 0, 0))
    minor = np.flatnonzero(y == 1)
    columns = np.random.RandomState(2).randint(4, size=len(minor))
    X[minor, columns] = np.nan  # one hole in every minority row
    sampler = VAEOverSampler(random_state=0)
    assert len(sampler.fit_resample(X, y)[0]) == 600
    coupled = np.isnan(sampler.sample(N_DRAWN, 1, random_state=1))
    # The baseline, measured here: the same VAE's independent draws at the same rates.
    sampler.set_params(decoder_output="sample")
    independent = np.isnan(sampler.sample(N_DRAWN, 1, random_state=1))
    # Coupled draws keep a row's one hole: rows with exactly one hole are more common than
    # under independence by far more than ten standard errors of the two shares (each at most
    # sqrt(0.25 / N_DRAWN)).
    one, one_independent = ((h.sum(axis=1) == 1).mean() for h in (coupled, independent))
    assert one >= one_independent + 10 * np.sqrt(2 * 0.25 / N_DRAWN), (one, one_independent)
    real = np.isnan(X[minor]).mean(axis=0)
    for holes in (coupled, independent):
        assert (np.abs(holes.mean(axis=0) - real) <= rate_bar(real)).all()


def test_same_seed_same_rows_with_holes():
    X, y = _table(seed=3)
    first = VAEOverSampler(random_state=7, epochs=5).fit_resample(X, y)[0]
    second = VAEOverSampler(random_state=7, epochs=5).fit_resample(X, y)[0]
    assert np.array_equal(first, second, equal_nan=True)


def test_holes_in_a_class_not_over_sampled_change_nothing_else():
    """A class without holes trains and generates bit for bit as on a complete table."""
    X, y = _table(rates=(0, 0, 0, 0))
    complete = VAEOverSampler(random_state=0, epochs=5).fit_resample(X, y)[0]
    holes = X.copy()
    majority = np.flatnonzero(y == 0)
    holes[majority[::3], 1] = np.nan
    with_holes = VAEOverSampler(random_state=0, epochs=5).fit_resample(holes, y)[0]
    assert np.array_equal(with_holes[: len(X)], holes, equal_nan=True)
    assert np.array_equal(with_holes[len(X) :], complete[len(X) :])


def _frame(seed=0, n=400):
    rng = np.random.RandomState(seed)
    y = (np.arange(n) < 120).astype(int)

    def holes(values, rate=0.2):
        values = np.asarray(values, dtype=object)
        values[(y == 1) & (rng.random_sample(n) < rate)] = None
        return values

    X = pd.DataFrame(
        {
            "amount": pd.Series(holes(rng.gamma(2.0, 10.0, n) + 20 * y), dtype="float64"),
            "count": pd.array(holes(rng.poisson(3, n) + 3 * y), dtype="Int64"),
            "flag": pd.array(holes(rng.rand(n) < 0.3 + 0.5 * y), dtype="boolean"),
            "city": pd.array(holes(rng.choice(["oslo", "rome", "lima"], n)), dtype="string"),
            "size": pd.Categorical(holes(rng.choice(list("SML"), n)).tolist(), list("SML")),
            "note": pd.Series(holes(rng.choice(["a", "b"], n)), dtype=object),
        }
    )
    return X, y


def test_frame_with_holes_in_every_column_type():
    X, y = _frame()
    given = X.copy()
    sampler = VAEOverSampler(random_state=0, epochs=10)
    X_res = sampler.fit_resample(X, y)[0]
    pd.testing.assert_frame_equal(X, given)
    assert X_res.dtypes.equals(X.dtypes)
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    new, real = X_res.iloc[len(X) :], X[y == 1]
    assert len(new) == 160
    gaps = (new.isna().mean() - real.isna().mean()).abs()
    assert gaps.max() <= 0.12, gaps.to_dict()
    assert new.isna().any().all()
    # Each column's own missing value comes back: None in the object column, NA in the others.
    assert all(v is None for v in new["note"][new["note"].isna()])
    assert set(new["city"].dropna()) <= {"oslo", "rome", "lima"}
    assert set(new["note"].dropna()) <= {"a", "b"}
    counts = new["count"].dropna()
    assert (counts >= real["count"].min()).all() and (counts <= real["count"].max()).all()
    again = sampler.sample(200, 1, random_state=0)
    assert again.dtypes.equals(X.dtypes)
    assert (again.isna().mean() - real.isna().mean()).abs().max() <= 0.15


def test_holes_survive_save_load_and_pickle(tmp_path):
    X, y = _frame(seed=1)
    sampler = VAEOverSampler(random_state=0, epochs=3)
    sampler.fit_resample(X, y)
    expected = sampler.sample(100, 1, random_state=5)
    path = tmp_path / "sampler.zip"
    sampler.save(path)
    pd.testing.assert_frame_equal(load(path).sample(100, 1, random_state=5), expected)
    restored = pickle.loads(pickle.dumps(sampler))
    pd.testing.assert_frame_equal(restored.sample(100, 1, random_state=5), expected)


def test_object_array_with_none_and_nan():
    rng = np.random.RandomState(0)
    n = 200
    y = (np.arange(n) < 60).astype(int)
    X = np.empty((n, 2), dtype=object)
    X[:, 0] = rng.normal(size=n) + y
    X[:, 1] = rng.choice(["u", "v"], n)
    X[:20, 0] = None
    X[20:40, 1] = np.nan
    X_res, _ = VAEOverSampler(categorical_features=[1], random_state=0, epochs=5).fit_resample(
        X, y
    )
    assert all(a is b or a == b for a, b in zip(X_res[:n].ravel(), X.ravel(), strict=True))
    new = X_res[n:]
    # Numbers in an object array are marked like the caller's column: None here.
    assert any(v is None for v in new[:, 0]) and not any(v is np.nan for v in new[:, 0])
    assert {v for v in new[:, 1] if isinstance(v, str)} <= {"u", "v"}
    assert any(isinstance(v, float) and np.isnan(v) for v in new[:, 1])


def test_sparse_matrix_with_holes():
    X, y = _table(rates=(0.3, 0, 0, 0))
    X_res, _ = VAEOverSampler(random_state=0, epochs=3).fit_resample(sparse.csr_matrix(X), y)
    assert sparse.issparse(X_res)
    dense = X_res.toarray()
    assert np.array_equal(dense[: len(X)], np.where(X == 0, 0, X), equal_nan=True)
    assert 0.1 <= np.isnan(dense[len(X) :, 0]).mean() <= 0.5


def test_the_estimator_says_it_allows_nan():
    assert VAEOverSampler().__sklearn_tags__().input_tags.allow_nan


def test_infinity_still_raises():
    X, y = _table()
    X[0, 0] = np.inf
    with pytest.raises(ValueError, match="(?s)infinity.*Replace or drop the infinite values"):
        VAEOverSampler().fit_resample(X, y)


def test_images_with_holes_raise():
    X = np.random.RandomState(0).rand(60, 16)
    X[3, 4] = np.nan
    y = (np.arange(60) < 15).astype(int)
    with pytest.raises(ValueError, match="image rows cannot have.*image_shape=None"):
        VAEOverSampler(image_shape=(4, 4, 1)).fit_resample(X, y)


def test_a_categorical_column_with_no_value_raises():
    X, y = _frame()
    X["size"] = pd.Categorical([None] * len(X), ["S", "M", "L"])
    with pytest.raises(ValueError, match="Categorical column 4 holds missing values only"):
        VAEOverSampler(epochs=1).fit_resample(X, y)
