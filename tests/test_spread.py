"""latent_spread: how far posterior points, and so new rows, move from their seed rows."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors

from vae_oversampler import VAEOverSampler, load


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=400,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        weights=[0.85],
        random_state=0,
    )


def _median_distance(sampler, X, y, new):
    """Median distance of the new rows to their closest class row, in the class's scaled
    space."""
    scaler = sampler.scalers_[1]
    real = scaler.transform(X[y == 1])
    search = NearestNeighbors(n_neighbors=1).fit(real)
    return float(np.median(search.kneighbors(scaler.transform(new))[0]))


def test_a_wider_spread_moves_new_rows_further_from_the_class_rows(data):
    X, y = data
    moved = []
    for spread in (0.25, 1.0, 4.0):
        sampler = VAEOverSampler(latent_spread=spread, epochs=10, random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        assert len(X_res) == 2 * int(np.sum(y == 0)) and (y_res[len(X) :] == 1).all()
        np.testing.assert_array_equal(X_res[: len(X)], X)
        moved.append(_median_distance(sampler, X, y, X_res[len(X) :]))
    assert moved[0] < 0.7 * moved[1] and moved[1] < 0.7 * moved[2]


def test_the_spread_scales_the_posterior_standard_deviation_exactly():
    """The same latent points' offsets from their rows' means, times the spread."""
    from vae_oversampler._generation.latent import latent_points

    rng = np.random.RandomState(0)
    z_mean = rng.normal(size=(20, 3)).astype(np.float32)
    z_log_var = rng.normal(size=(20, 3)).astype(np.float32)
    points = {
        spread: latent_points(
            50, 3, np.random.RandomState(1), (z_mean, z_log_var), return_rows=True, spread=spread
        )
        for spread in (1.0, 3.0)
    }
    (z1, rows1), (z3, rows3) = points[1.0], points[3.0]
    np.testing.assert_array_equal(rows1.rows, rows3.rows)
    offset1, offset3 = z1 - z_mean[rows1.rows], z3 - z_mean[rows3.rows]
    np.testing.assert_allclose(offset3, 3 * offset1, rtol=1e-5, atol=1e-6)


def test_a_spread_of_one_and_other_latent_modes_keep_their_rows(data):
    X, y = data
    base = VAEOverSampler(epochs=3, random_state=0).fit_resample(X, y)[0]
    same = VAEOverSampler(latent_spread=1.0, epochs=3, random_state=0).fit_resample(X, y)[0]
    assert base.tobytes() == same.tobytes()
    kwargs = dict(latent_sampling="interpolate", epochs=3, random_state=0)
    plain = VAEOverSampler(**kwargs).fit_resample(X, y)[0]
    spread = VAEOverSampler(latent_spread=3.0, **kwargs).fit_resample(X, y)[0]
    assert plain.tobytes() == spread.tobytes()


def test_sample_reads_the_spread_at_call_time_and_files_keep_its_hole_rates(data, tmp_path):
    """With holes, each spread calibrates its own hole rates (kept per spread, and saved)."""
    X, y = data
    X = X.copy()
    X[np.random.RandomState(0).rand(*X.shape) < 0.2] = np.nan
    sampler = VAEOverSampler(epochs=3, random_state=0)
    sampler.fit_resample(X, y)
    default = sampler.sample(300, 1, random_state=5)
    sampler.set_params(latent_spread=2.5)
    wide = sampler.sample(300, 1, random_state=5)
    assert not np.array_equal(default, wide, equal_nan=True)
    holes = next(iter(sampler._generators.values())).holes
    assert set(holes.offsets) == {("posterior", True), ("posterior", True, 2.5)}
    path = tmp_path / "sampler.zip"
    sampler.save(path)
    loaded = load(path)
    for spread, rows in ((2.5, wide), (1.0, default)):
        loaded.set_params(latent_spread=spread)
        again = loaded.sample(300, 1, random_state=5)
        assert again.tobytes() == rows.tobytes()
    rate = np.isnan(X[y == 1]).mean()
    assert abs(np.isnan(wide).mean() - rate) < 0.05


@pytest.mark.parametrize("spread", [0, -1.0, 10.5, "wide"])
def test_a_spread_outside_its_range_is_rejected(data, spread):
    X, y = data
    with pytest.raises(ValueError, match="latent_spread"):
        VAEOverSampler(latent_spread=spread).fit_resample(X, y)
