"""The training layout, and pooled models training exactly as new ones."""

import numpy as np
import pytest

from vae_oversampler import _pool
from vae_oversampler._training import (
    VALIDATION_ROWS,
    TrainingConfig,
    epoch_layout,
    split_rows,
    train_class_vae,
    training_stream,
    validation_batch,
)

CONFIG = TrainingConfig(
    latent_dim=2,
    hidden_layer_sizes=(16,),
    image_shape=None,
    categorical_sizes=(),
    epochs=3,
    batch_size=64,
    learning_rate=1e-3,
    beta=1.0,
    early_stopping=True,
    validation_fraction=0.1,
    n_iter_no_change=5,
    verbose=0,
)


@pytest.mark.parametrize(
    "n_train, expected", [(10, 16), (64 * 16, 16), (64 * 16 + 1, 32), (100_000, 1568)]
)
def test_epoch_is_whole_calls_covering_a_pass(n_train, expected):
    assert epoch_layout(n_train, 64, 16) == expected


def test_stream_is_back_to_back_shuffles_of_the_rows():
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    rng = np.random.RandomState(0)
    stream = training_stream(x, np.arange(10), batch=64, steps=16, epochs=2, rng=rng)
    assert stream.shape == (2 * 16 * 64, 3)
    # Every consecutive pass of 10 rows holds each row exactly once.
    passes = stream[: (len(stream) // 10) * 10, 0].reshape(-1, 10)
    assert (np.sort(passes, axis=1) == np.arange(0, 30, 3)).all()
    assert len({tuple(p) for p in passes}) > 1


def test_stream_holds_fewer_epochs_when_large(monkeypatch):
    monkeypatch.setattr("vae_oversampler._training.MAX_STREAM_VALUES", 64 * 16 * 3 * 2)
    x = np.zeros((100, 3), dtype=np.float32)
    rng = np.random.RandomState(0)
    stream = training_stream(x, np.arange(100), batch=64, steps=16, epochs=10, rng=rng)
    assert len(stream) == 2 * 16 * 64


def test_stream_reads_only_the_training_rows():
    x = np.arange(20, dtype=np.float32)[:, None]
    rng = np.random.RandomState(0)
    stream = training_stream(x, np.arange(0, 20, 2), batch=64, steps=16, epochs=1, rng=rng)
    assert set(stream[:, 0].tolist()) == set(range(0, 20, 2))


@pytest.mark.parametrize("n_val", [1, 5, 100, VALIDATION_ROWS, 1000])
def test_validation_batch_weighs_each_row_once(n_val):
    x_val = np.arange(n_val, dtype=np.float32)[:, None]
    rows, weights = validation_batch(x_val, np.random.RandomState(0))
    assert rows.shape == (VALIDATION_ROWS, 1)
    if n_val <= VALIDATION_ROWS:
        totals = np.bincount(rows[:, 0].astype(int), weights=weights, minlength=n_val)
        np.testing.assert_allclose(totals, 1.0)
    else:
        assert len(np.unique(rows)) == VALIDATION_ROWS and (weights == 1).all()


def test_split_turns_off_for_tiny_classes():
    train, val = split_rows(50, CONFIG, np.random.RandomState(0))
    assert len(val) == 5 and sorted(np.r_[train, val]) == list(range(50))
    train, val = split_rows(10, CONFIG, np.random.RandomState(0))
    assert len(val) == 0 and len(train) == 10


def test_pooled_model_trains_bitwise_like_a_new_one():
    rng = np.random.RandomState(0)
    first, second = rng.normal(size=(51, 4)), rng.normal(size=(30, 4))
    first, second = first.astype(np.float32), second.astype(np.float32)
    _pool.clear()
    _, fresh, fresh_history = train_class_vae(second, CONFIG, seed=1)
    train_class_vae(first, CONFIG, seed=2)  # the pool now holds a model trained on other rows
    _, reused, reused_history = train_class_vae(second, CONFIG, seed=1)
    assert reused_history == fresh_history
    for a, b in zip(fresh, reused, strict=True):
        assert a.tobytes() == b.tobytes()
