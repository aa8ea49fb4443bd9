"""No parameter value takes memory or time out of proportion to the work (issue 28)."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from vae_oversampler import VAEOverSampler
from vae_oversampler._training.train import TrainingConfig, class_batch_size, prepare_class

X, Y = make_classification(
    n_samples=230, n_features=4, n_informative=3, n_redundant=0, weights=[0.87], random_state=1
)


def _config(batch_size):
    return TrainingConfig(
        latent_dim=2,
        hidden_layer_sizes=(8,),
        image_shape=None,
        categorical_sizes=(),
        epochs=30,
        batch_size=batch_size,
        learning_rate=1e-3,
        beta=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=5,
        verbose=0,
    )


@pytest.mark.parametrize("n_rows", [30, 200])
def test_a_huge_batch_lays_out_what_a_batch_of_the_whole_class_does(n_rows):
    rows = np.random.RandomState(0).normal(size=(n_rows, 4)).astype(np.float32)
    n_train = n_rows - int(np.ceil(0.1 * n_rows))
    # Checked first, so that a broken cap fails here rather than filling the memory.
    assert class_batch_size(n_train, 10**9) == max(n_train, 64)
    huge = prepare_class(rows, _config(10**9), seed=0)
    whole = prepare_class(rows, _config(max(n_train, 64)), seed=0)
    # The batch is the class's training rows (at least 64), so the stream (the rows of the
    # epochs one call holds) is bounded by the class's size, not by batch_size: the same
    # layout and the same rows as a batch of the whole class.
    assert huge.batch_size == whole.batch_size == max(n_train, 64)
    assert huge.steps == whole.steps
    assert np.array_equal(huge.stream, whole.stream)
    assert huge.stream.nbytes <= 30 * 16 * max(n_train, 64) * 4 * 4


def test_a_huge_batch_size_gives_the_rows_of_the_class_sized_batch():
    # 30 minority rows, 27 of them training rows: any batch above 64 is a batch of 64.
    huge = VAEOverSampler(batch_size=10**9, epochs=3, random_state=0).fit_resample(X, Y)[0]
    capped = VAEOverSampler(batch_size=64, epochs=3, random_state=0).fit_resample(X, Y)[0]
    assert np.array_equal(huge, capped)


def test_more_jobs_than_classes_changes_nothing():
    many = VAEOverSampler(n_jobs=10**6, epochs=2, random_state=0).fit_resample(X, Y)[0]
    one = VAEOverSampler(n_jobs=1, epochs=2, random_state=0).fit_resample(X, Y)[0]
    assert np.array_equal(many, one)


@pytest.mark.parametrize(
    "params",
    [
        {"hidden_layer_sizes": (12000, 12000)},
        {"latent_dim": 10**9},
        {"image_shape": (8, 8, 1), "latent_dim": 10**8},
    ],
)
def test_a_network_too_big_for_any_class_is_refused_before_it_is_built(params):
    data = X if "image_shape" not in params else np.abs(np.resize(X, (230, 64))) / 10
    with pytest.raises(ValueError, match=r"million weights .* more than the 134 million"):
        VAEOverSampler(epochs=1, random_state=0, **params).fit_resample(data, Y)


def test_a_large_but_sane_network_still_trains():
    X_res, _ = VAEOverSampler(hidden_layer_sizes=(256, 256), latent_dim=4, epochs=1).fit_resample(
        X, Y
    )
    assert len(X_res) == 2 * np.bincount(Y).max()
