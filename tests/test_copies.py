"""New rows that copy a row of their class are drawn again (see ``_copies``)."""

import numpy as np
import pandas as pd
import pytest

import vae_oversampler
import vae_oversampler._generation.generator as generator_module
from vae_oversampler import VAEOverSampler
from vae_oversampler._data.columns import fit_layout
from vae_oversampler._data.keys import canonical, class_keys
from vae_oversampler._generation.copies import copies
from vae_oversampler.metrics import copy_share

RNG = np.random.default_rng(0)
# The minority class: 40 rows of whole numbers 2-5 in 4 columns, so 256 possible rows. Its
# rows round back onto their seed rows most of the time.
X = np.vstack([RNG.integers(0, 6, (300, 4)), RNG.integers(0, 4, (40, 4)) + 2]).astype(np.int64)
Y = np.r_[np.zeros(300, int), np.ones(40, int)]


def _new_rows(sampler, X, y):
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.array_equal(X_res[: len(X)], X)
    assert np.array_equal(y_res[len(X) :], np.ones(len(y_res) - len(X), int))
    return X_res[len(X) :]


def test_copies_are_drawn_again(monkeypatch):
    minority = X[Y == 1]
    monkeypatch.setattr(generator_module, "MAX_REDRAWS", 0)
    without = _new_rows(VAEOverSampler(random_state=0), X, Y)
    monkeypatch.undo()
    with_redraws = _new_rows(VAEOverSampler(random_state=0), X, Y)
    assert len(without) == len(with_redraws) == 260
    assert copy_share(minority, without) > 0.5
    assert copy_share(minority, with_redraws) < 0.05
    # the redrawn rows are new rows of the class's range, not something else
    assert with_redraws.min() >= 2 and with_redraws.max() <= 5
    # and more of them are distinct new rows (118 against 82 with the defaults of issue 31)
    seen = {tuple(row) for row in minority}

    def distinct_new(rows):
        return len({tuple(row) for row in rows} - seen)

    assert distinct_new(with_redraws) > distinct_new(without)


def test_a_class_with_no_other_value_keeps_its_copies():
    # 8 possible rows, all in the class: every new row must be one of them
    X = np.vstack([RNG.integers(0, 4, (300, 3)), RNG.integers(0, 2, (40, 3)) + 2])
    new = _new_rows(VAEOverSampler(random_state=0), X, Y)
    assert len(new) == 260
    assert copy_share(X[Y == 1], new) == 1.0


def test_redrawn_rows_are_reproducible_and_survive_saving(tmp_path):
    sampler = VAEOverSampler(random_state=0)
    first = _new_rows(sampler, X, Y)
    assert np.array_equal(first, _new_rows(VAEOverSampler(random_state=0), X, Y))
    path = tmp_path / "sampler.zip"
    sampler.save(path)
    loaded = vae_oversampler.load(path)
    assert np.array_equal(loaded._generators[1].seen, sampler._generators[1].seen)
    assert np.array_equal(
        loaded.sample(200, 1, random_state=3), sampler.sample(200, 1, random_state=3)
    )
    assert copy_share(X[Y == 1], sampler.sample(200, 1, random_state=3)) < 0.05


def test_canonical_rows_compare_markers_zeros_and_categories():
    frame = pd.DataFrame(
        {
            "x": [0.0, -0.0, np.nan, 1.5],
            "c": pd.Series(["a", "b", None, "a"], dtype=object),
        }
    )
    values = frame.to_numpy(dtype=object)
    layout = fit_layout(values, np.array([1]))
    assert np.array_equal(canonical(values, layout)[:, 1], [0.0, 1.0, -1.0, 0.0])
    seen = class_keys(values, layout)
    # Rows 0 and 3 differ in x only, rows 0 and 1 in c only: four distinct keys.
    assert seen.dtype == np.uint64 and len(seen) == 4
    new = np.array([[0.0, "b"], [-0.0, "a"], [np.nan, pd.NA], [1.5, "b"], [1.5, "z"]], object)
    # (0, b) is row 1 as -0.0 == 0.0; (-0, a) is row 0; (NaN, NA) equals row 2 (holes are
    # holes) but has no observed number, so it is a categorical row and not redrawn;
    # (1.5, b) is no row; "z" is no category of the column
    assert copies(new, seen, layout).tolist() == [True, True, False, False, False]


def test_row_keys_find_every_copy_and_no_other_row_across_chunks(monkeypatch):
    import vae_oversampler._data.keys as keys_module

    monkeypatch.setattr(keys_module, "CHUNK_ROWS", 97)  # several chunks, a short last one
    # Every row of a grid of small whole numbers: rows that differ in one unit of one column.
    grid = np.stack(np.meshgrid(*[np.arange(10.0)] * 3, indexing="ij"), -1).reshape(-1, 3)
    layout = fit_layout(grid, np.array([], dtype=int))
    seen = class_keys(grid, layout)
    assert len(seen) == 1000 and np.all(np.diff(seen.astype(object)) > 0)
    shuffled = grid[RNG.permutation(1000)]
    assert copies(shuffled, seen, layout).all()
    assert not copies(grid + 0.5, seen, layout).any()
    assert not copies(grid[:, ::-1] + [0, 0, 10], seen, layout).any()


# decoder_output="mean" takes each column's most likely category, so its rows concentrate on
# a few combinations, and a redraw seldom finds another: it is left out.
@pytest.mark.parametrize("decoder_output", ["residual", "sample"])
def test_mixed_tables_get_no_copies_when_values_are_drawn(decoder_output):
    rng = np.random.default_rng(1)
    X = pd.DataFrame(
        {
            "n": rng.integers(0, 5, 340),
            "c": pd.Categorical(rng.choice(list("abcd"), 340)),
            "d": pd.Categorical(rng.choice(list("xyz"), 340)),
        }
    )
    sampler = VAEOverSampler(decoder_output=decoder_output, random_state=0)
    X_res, y_res = sampler.fit_resample(X, Y)
    new = X_res.iloc[len(X) :]
    assert len(new) == 260 and new.dtypes.equals(X.dtypes) and (y_res[len(X) :] == 1).all()
    # 5 x 4 x 3 = 60 possible rows, of which the 40-row class holds at most 40
    assert copy_share(X[Y == 1], new) <= 0.05


def test_all_categorical_rows_keep_their_copies():
    rng = np.random.default_rng(2)
    X = pd.DataFrame(
        {name: pd.Categorical(rng.choice(list("abc"), 340)) for name in ["p", "q", "r"]}
    )
    sampler = VAEOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, Y)
    assert [g.seen for g in sampler._generators.values()] == [None]
    # 27 possible rows, all but a few in the 40-row class: copies stay
    assert copy_share(X[Y == 1], X_res.iloc[len(X) :]) > 0.5
