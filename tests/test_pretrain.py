"""The shared start (``pretrain_steps``): one VAE trained on every class's rows, copied into
each class's VAE before it trains."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits, make_classification

from vae_oversampler import VAEOverSampler
from vae_oversampler._data.missing import ClassMissing
from vae_oversampler._training import pretrain as _pretrain
from vae_oversampler._training.pretrain import (
    MAX_PRETRAIN_ROWS,
    class_start,
    pretrain_config,
    pretrain_sample,
    union_missing,
    widen,
)
from vae_oversampler._training.train import training_config

CONFIG = training_config(
    VAEOverSampler(latent_dim=2, hidden_layer_sizes=(16,), epochs=3).get_params(), 4, None, ()
)


def _three_classes():
    return make_classification(
        n_samples=400,
        n_features=5,
        n_informative=3,
        n_classes=3,
        weights=[0.8, 0.12],
        random_state=0,
    )


def test_shared_start_is_reproducible_trained_once_per_call_and_independent_of_n_jobs(
    monkeypatch,
):
    X, y = _three_classes()
    calls = []
    pretrain = _pretrain.pretrain

    def counted(rows, *args, **kwargs):
        calls.append(len(rows))
        return pretrain(rows, *args, **kwargs)

    monkeypatch.setattr(_pretrain, "pretrain", counted)
    first, _ = VAEOverSampler(random_state=0, pretrain_steps=100).fit_resample(X, y)
    assert calls == [len(X)]  # once, on every row (the table is small), for two classes
    again, _ = VAEOverSampler(random_state=0, pretrain_steps=100, n_jobs=2).fit_resample(X, y)
    assert first.tobytes() == again.tobytes()
    without, _ = VAEOverSampler(random_state=0).fit_resample(X, y)
    assert without.shape == first.shape
    assert not np.array_equal(without[len(X) :], first[len(X) :])
    # the originals come back unchanged, first
    assert np.array_equal(first[: len(X)], X)


def test_each_class_starts_from_the_shared_weights(monkeypatch):
    """The weights a class's stack starts from are the shared VAE's, cut to the class."""
    from vae_oversampler._training import train as _train

    X, y = _three_classes()
    shared, started = [], []
    pretrain, train_stack = _pretrain.pretrain, _train.train_stack

    def keep_shared(*args, **kwargs):
        shared.append(pretrain(*args, **kwargs))
        return shared[-1]

    def keep_start(xs, config, seeds, missing_columns=(), start=None):
        if config.early_stopping:  # a class's stack, not the shared VAE's
            started.append(start)
        return train_stack(xs, config, seeds, missing_columns, start)

    monkeypatch.setattr(_pretrain, "pretrain", keep_shared)
    monkeypatch.setattr(_train, "train_stack", keep_start)
    VAEOverSampler(random_state=0, pretrain_steps=50, epochs=2).fit_resample(X, y)
    (weights,) = shared
    assert len(started) == 1  # both small classes in one stack
    for got, expected in zip(started[0], weights, strict=True):
        assert got.tobytes() == expected.tobytes()


def _missing(columns, model_columns):
    return ClassMissing(np.asarray(columns), tuple(model_columns), np.full(len(columns), 0.1))


def test_union_of_indicators_and_each_class_cut_back_to_its_own():
    import keras

    from vae_oversampler._training.pool import new_vae

    # 3 numeric columns (X columns 0, 2, 3) and a categorical one (X column 1, 2 categories):
    # 5 encoded values, then indicators.
    a = _missing([3, 1], [2, -1])  # numeric column 3, then categorical column 1
    b = _missing([0, 3], [0, 2])
    union = union_missing([a, None, b])
    assert union == ((0, 0), (3, 2), (1, -1))
    rng = np.random.RandomState(0)
    rows_a = rng.normal(size=(6, 7)).astype(np.float32)
    wide = widen(rows_a, 5, a, union)
    assert wide.shape == (6, 8)
    np.testing.assert_array_equal(wide[:, :5], rows_a[:, :5])
    np.testing.assert_array_equal(wide[:, 5], 0)  # a has no holes in column 0
    np.testing.assert_array_equal(wide[:, 6], rows_a[:, 5])  # column 3
    np.testing.assert_array_equal(wide[:, 7], rows_a[:, 6])  # column 1
    np.testing.assert_array_equal(widen(rows_a[:, :5], 5, None, union)[:, 5:], 0)

    architecture = {
        "latent_dim": 2,
        "hidden_layer_sizes": (8,),
        "beta": 1.0,
        "categorical_sizes": (2,),
        "output_variance": "sigmoid",
    }
    shared = new_vae({**architecture, "n_features": 8, "missing_columns": (0, 2, -1), "seed": 1})
    cut = class_start(shared.get_weights(), 5, union, a)
    own = new_vae({**architecture, "n_features": 7, "missing_columns": (2, -1), "seed": 2})
    own.set_weights(cut)
    # The class's model reads its rows as the shared one reads them widened: same encoding,
    # same outputs for the class's own columns.
    for x, y in zip(own.encode(rows_a), shared.encode(wide), strict=True):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(x), keras.ops.convert_to_numpy(y), atol=1e-6
        )
    z = rng.normal(size=(4, 2)).astype(np.float32)
    out_own = keras.ops.convert_to_numpy(own.decode(z))
    out_shared = keras.ops.convert_to_numpy(shared.decode(z))
    np.testing.assert_allclose(out_own, out_shared[:, [0, 1, 2, 3, 4, 6, 7]], atol=1e-6)
    assert class_start(shared.get_weights(), 5, (), None) is not None


def test_the_shared_vae_trains_on_a_bounded_subsample_for_about_the_steps_asked():
    rng = np.random.RandomState(0)
    small = pretrain_sample(np.zeros(100), rng)
    np.testing.assert_array_equal(small, np.arange(100))
    big = pretrain_sample(np.zeros(10**6), rng)
    assert len(big) == MAX_PRETRAIN_ROWS == len(np.unique(big))
    assert (np.diff(big) > 0).all()
    config = pretrain_config(CONFIG, MAX_PRETRAIN_ROWS, 400)
    # 4,096 rows are 64 steps of 64 rows an epoch: 7 epochs, without early stopping.
    assert (config.epochs, config.batch_size, config.early_stopping) == (7, 64, False)
    assert pretrain_config(CONFIG, 30, 400).epochs == 25  # 16 steps an epoch
    assert pretrain_config(CONFIG, 30, 1).epochs == 1


def test_shared_start_with_holes_and_categories():
    rng = np.random.RandomState(0)
    y = np.r_[np.zeros(250, int), np.ones(30, int), np.full(20, 2)]
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=300),
            "b": rng.normal(size=300),
            "c": rng.choice(["x", "y", "z"], 300),
        }
    )
    frame.loc[rng.rand(300) < 0.1, "a"] = np.nan  # every class
    frame.loc[(y == 1) & (rng.rand(300) < 0.3), "b"] = np.nan  # class 1 only
    sampler = VAEOverSampler(random_state=0, pretrain_steps=100)
    out, labels = sampler.fit_resample(frame, y)
    again, _ = VAEOverSampler(random_state=0, pretrain_steps=100).fit_resample(frame, y)
    pd.testing.assert_frame_equal(out, again)
    pd.testing.assert_frame_equal(out.iloc[:300], frame)
    new_1 = out[300:][labels[300:] == 1]
    new_2 = out[300:][labels[300:] == 2]
    # each class keeps its own holes: class 2 has none in b
    assert new_1["b"].isna().any() and not new_2["b"].isna().any()
    assert set(out["c"]) == {"x", "y", "z"}
    assert sampler.vaes_[1].missing_columns != sampler.vaes_[2].missing_columns


def test_shared_start_for_images():
    X, y = load_digits(return_X_y=True)
    keep = np.r_[np.flatnonzero(y == 0)[:120], np.flatnonzero(y == 1)[:30]]
    X, y = X[keep], y[keep]
    kwargs = {"image_shape": (8, 8, 1), "epochs": 2, "pretrain_steps": 20, "random_state": 0}
    first, _ = VAEOverSampler(**kwargs).fit_resample(X, y)
    again, _ = VAEOverSampler(**kwargs).fit_resample(X, y)
    assert first.tobytes() == again.tobytes()
    assert first.shape == (240, 64) and first.min() >= 0 and first.max() <= 16


@pytest.mark.parametrize("steps", [-1, 1.5, "100"])
def test_pretrain_steps_must_be_a_whole_number_of_at_least_zero(steps):
    X, y = _three_classes()
    with pytest.raises(ValueError, match="pretrain_steps"):
        VAEOverSampler(pretrain_steps=steps).fit_resample(X, y)
