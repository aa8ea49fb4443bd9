"""Columns whose values sit on an evenly spaced grid get new values on it (``_data.grid``)."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.preprocessing import StandardScaler

from vae_oversampler import VAEOverSampler
from vae_oversampler._data.codec import TableCodec
from vae_oversampler._data.columns import fit_layout
from vae_oversampler._data.grid import GRID_SAMPLE_ROWS, MAX_GRID_LEVELS, find_grids, snap_to_grid
from vae_oversampler._persistence.checks import check_layout

RNG = np.random.default_rng(0)
N_ROWS = 300


def _table():
    """Standardised: a rating 1-5, a flag, multiples of 5 (a whole-number column of step 5)
    and a measurement; 250 rows of class 0 and 50 of class 1."""
    raw = np.c_[
        RNG.integers(1, 6, N_ROWS),
        RNG.integers(0, 2, N_ROWS),
        RNG.integers(0, 3, N_ROWS) * 5,
        RNG.normal(size=N_ROWS),
    ]
    y = np.r_[np.zeros(250, int), np.ones(50, int)]
    return StandardScaler().fit_transform(raw), raw, y


def test_new_values_of_grid_columns_are_the_real_values_bit_for_bit():
    X, _, y = _table()
    X_res, _ = VAEOverSampler(random_state=0).fit_resample(X, y)
    assert X_res.shape == (500, 4) and np.array_equal(X_res[:N_ROWS], X)
    new = X_res[N_ROWS:]
    for j in range(3):
        # a standardised level is not origin + k * step exactly; the real value comes back
        assert np.isin(new[:, j], X[y == 1, j]).all(), j
    # every level of the rating is used, not just the nearest few
    assert len(np.unique(new[:, 0])) == len(np.unique(X[y == 1, 0]))
    # the measurement has no grid: its values are new
    assert np.isin(new[:, 3], X[:, 3]).mean() < 0.1
    assert len(np.unique(new[:, 3])) > 150


def test_raw_whole_numbers_are_rounded_as_before_and_steps_of_5_kept():
    _, raw, y = _table()
    layout = fit_layout(raw, np.array([], np.int64))
    # step-1 whole numbers are left to rounding; the multiples of 5 keep their grid
    assert [len(levels) for levels in layout.grid] == [0, 0, 3, 0]
    new = VAEOverSampler(random_state=0).fit_resample(raw, y)[0][N_ROWS:]
    assert set(np.unique(new[:, 2])) <= {0.0, 5.0, 10.0}
    assert np.array_equal(new[:, :2], np.rint(new[:, :2]))


def test_a_grid_is_found_after_a_rescaling_and_checked_on_every_row():
    n = GRID_SAMPLE_ROWS + 500
    halves = RNG.integers(-8, 8, n) * 0.5
    column = (halves - 0.3) / 1.7  # an affine rescaling of a grid of step 0.5
    X = np.c_[column, column]
    X[-1, 1] = column[-1] + 0.5 / 1.7 / 2  # half a step off, after the sampled rows
    X[:10, 0] = np.nan  # missing cells do not count
    grids = find_grids([X], np.zeros(2, bool))
    assert np.allclose(np.diff(grids[0]), 0.5 / 1.7, rtol=1e-9) and len(grids[0]) == 16
    assert np.array_equal(
        grids[0], np.unique(column[:GRID_SAMPLE_ROWS][~np.isnan(X[:GRID_SAMPLE_ROWS, 0])])
    )
    assert len(grids[1]) == 0
    # the later row is also checked when the rows come in several blocks
    assert len(find_grids([X[:5000], X[5000:]], np.zeros(2, bool))[1]) == 0


@pytest.mark.parametrize(
    ("values", "whole", "levels"),
    [
        (np.array([3.0, 1.0, 2.0, 3.0]), True, []),  # whole numbers of step 1: rounding
        (np.array([0.0, 10.0, 5.0]), True, [0.0, 5.0, 10.0]),
        (np.array([0.1, 0.35, 0.6, 0.35]), False, [0.1, 0.35, 0.6]),
        (np.array([0.0, 0.3, 1.0]), False, []),  # 0.3 apart, but 1.0 is not on that grid
        (np.array([2.5, 2.5, np.nan]), False, []),  # one value: no step
        (np.array([0.0, 1e-3, 0.7071]), False, []),
    ],
)
def test_levels_of_small_columns(values, whole, levels):
    (found,) = find_grids([values[:, None]], np.array([whole]))
    assert found.dtype == np.float64
    np.testing.assert_array_equal(found, levels)


def test_a_column_of_many_levels_keeps_two():
    column = np.arange(MAX_GRID_LEVELS + 1) * 0.01 + 7.0
    (levels,) = find_grids([column[:, None]], np.array([False]))
    # the smallest value and the one a step above it fix the grid
    np.testing.assert_array_equal(levels, [7.0, 7.0 + np.diff(column).min()])


def test_snapping_takes_the_nearest_point_and_a_level_itself():
    levels = (np.array([1.0, 2.0, 3.0, 4.0, 5.0]) - 3.1) / 1.4142135623730951
    step = levels[1] - levels[0]
    values = np.c_[
        [
            levels[0] - 0.4 * step,
            levels[2] + 0.3 * step,
            levels[4] + 0.6 * step,
            levels[4] + 2.2 * step,
        ],
        [0.123, -4.5, 7.25, 0.0],
    ]
    snap_to_grid(values, (levels, np.zeros(0)))
    # on a level: that level's own bits; beyond the levels: the grid goes on
    assert values[0, 0] == levels[0] and values[1, 0] == levels[2]
    np.testing.assert_allclose(values[2:, 0], [levels[4] + step, levels[4] + 2 * step])
    np.testing.assert_array_equal(values[:, 1], [0.123, -4.5, 7.25, 0.0])


def test_images_and_sparse_tables_have_no_grid():
    pixels = RNG.integers(0, 256, (50, 4)) / 255.0
    assert len(fit_layout(pixels, np.array([], np.int64)).grid[0]) > 1
    assert (
        TableCodec.fit(pixels, np.array([], np.int64), image_shape=(2, 2, 1)).layout.grid is None
    )
    assert fit_layout(sparse.csr_matrix(pixels), np.array([], np.int64)).grid is None


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ((np.zeros(0),) * 3, "one entry per numeric column"),
        ((np.array([1.0, 0.0]),) + (np.zeros(0),) * 3, "not increasing"),
        ((np.array([1.0]),) + (np.zeros(0),) * 3, "not increasing"),
        ((np.array([0.0, np.inf]),) + (np.zeros(0),) * 3, "not finite"),
    ],
)
def test_a_forged_grid_is_refused(grid, message):
    X, _, _ = _table()
    layout = fit_layout(X, np.array([], np.int64))
    check_layout(layout, 4)
    layout.grid = grid
    with pytest.raises(ValueError, match=message):
        check_layout(layout, 4)


def test_values_beyond_the_grid_s_range_of_floats_stay_finite():
    levels = np.array([0.0, 0.5, 1.0])
    values = np.array([[1.7e308], [-1.7e308], [0.74]])
    with np.errstate(all="raise"):
        snap_to_grid(values, (levels,))
        (found,) = find_grids([np.array([[0.0], [1e308], [-1e308]])], np.array([False]))
    np.testing.assert_array_equal(values[:, 0], [1.7e308, -1.7e308, 0.5])
    assert len(found) == 0


def test_grids_survive_saving_and_loading(tmp_path):
    from vae_oversampler import load

    X, _, y = _table()
    sampler = VAEOverSampler(random_state=0)
    sampler.fit_resample(X, y)
    sampler.save(tmp_path / "sampler.zip")
    loaded = load(tmp_path / "sampler.zip")
    grids = sampler._codec.layout.grid
    assert [len(levels) for levels in grids] == [5, 2, 3, 0]
    assert len(loaded._codec.layout.grid) == 4
    for ours, theirs in zip(grids, loaded._codec.layout.grid, strict=True):
        assert theirs.dtype == np.float64 and np.array_equal(ours, theirs)
    rows = loaded.sample(50, 1, random_state=1)
    assert np.array_equal(rows, sampler.sample(50, 1, random_state=1))
    assert np.isin(rows[:, 0], X[:, 0]).all()
