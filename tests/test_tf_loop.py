"""On TensorFlow, a stack's epochs run in one compiled call (``_tf_loop``): the same weights,
histories and early stops as ``Model.fit`` with the callbacks, bit for bit."""

import dataclasses

import keras
import numpy as np
import pytest

from vae_oversampler._training import train as _training
from vae_oversampler._training.train import TrainingConfig, divergence, train_stack

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the one-call loop is TensorFlow's"
)

CONFIG = TrainingConfig(
    latent_dim=2,
    hidden_layer_sizes=(16, 8),
    image_shape=None,
    categorical_sizes=(),
    epochs=25,
    batch_size=64,
    learning_rate=1e-2,
    beta=1.0,
    early_stopping=True,
    validation_fraction=0.1,
    n_iter_no_change=2,
    verbose=0,
)


def _rows(n, seed, scale=1.0):
    return (scale * np.random.RandomState(seed).standard_normal((n, 5))).astype(np.float32)


def _both(monkeypatch, xs, config, seeds):
    """``train_stack`` through the one-call loop, then through ``Model.fit``."""
    results = {}
    for one_call in (True, False):
        monkeypatch.setattr(_training, "ONE_CALL_EPOCHS", one_call)
        results[one_call] = train_stack(xs, config, seeds)
    return results[True], results[False]


def _assert_same(loop, fit):
    assert len(loop) == len(fit)
    for (config_a, weights_a, history_a), (config_b, weights_b, history_b) in zip(
        loop, fit, strict=True
    ):
        assert config_a == config_b
        assert list(history_a) == list(history_b)
        for name in history_b:
            np.testing.assert_array_equal(history_a[name], history_b[name])
        assert len(weights_a) == len(weights_b)
        for a, b in zip(weights_a, weights_b, strict=True):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


def test_one_call_trains_a_stack_exactly_as_fit_with_early_stops_and_an_unsplit_member(
    monkeypatch,
):
    # 8 rows are too few for a held-out split: that member trains every epoch unmonitored.
    xs = [_rows(120, 1), _rows(45, 2), _rows(8, 3)]
    loop, fit = _both(monkeypatch, xs, CONFIG, seeds=[4, 5, 6])
    _assert_same(loop, fit)
    epochs = [len(history["loss"]) for _, _, history in loop]
    assert epochs[2] == CONFIG.epochs and "val_loss" not in loop[2][2]
    # Early stopping ended the monitored members before the last epoch, not all alike.
    assert min(epochs[:2]) < CONFIG.epochs


def test_stopped_members_skip_their_arithmetic_and_the_others_train_as_in_fit(monkeypatch):
    """Five members: fit trains every member until the last stops; the one-call loop skips
    the stopped ones. The numbers are the same bit for bit, and the skipped members really
    ran no arithmetic: their last held-out KL divergence is exactly 0 (zero outputs), a
    running member's is not."""
    from vae_oversampler._training import tf_loop

    models = []
    fit_epochs = tf_loop.fit_epochs

    def keep_model(model, *args, **kwargs):
        result = fit_epochs(model, *args, **kwargs)
        models.append((model, keras.ops.convert_to_numpy(model.kl_tracker.result())))
        return result

    monkeypatch.setattr(tf_loop, "fit_epochs", keep_model)
    config = dataclasses.replace(CONFIG, epochs=30)
    xs = [_rows(60 + 10 * k, 20 + k, scale=1.0 + k) for k in range(5)]
    loop, fit = _both(monkeypatch, xs, config, seeds=list(range(30, 35)))
    _assert_same(loop, fit)
    epochs = np.array([len(history["loss"]) for _, _, history in loop])
    assert len(set(epochs)) > 2, epochs  # members stopped at different epochs
    ((model, kl),) = models
    last = epochs == epochs.max()
    assert (kl[~last] == 0).all() and (kl[last] > 0).all(), (epochs, kl)
    # and the model runs every member in its next use
    assert keras.ops.convert_to_numpy(model.active_members).all()


def test_one_call_without_held_out_rows_runs_every_epoch_as_fit(monkeypatch):
    config = dataclasses.replace(CONFIG, early_stopping=False, epochs=4)
    loop, fit = _both(monkeypatch, [_rows(50, 7)], config, seeds=[8])
    _assert_same(loop, fit)
    assert len(loop[0][2]["loss"]) == 4 and set(loop[0][2]) == {
        "loss",
        "reconstruction_loss",
        "kl_loss",
    }


def test_one_call_stops_a_diverging_member_alone_as_fit(monkeypatch):
    # Rows near float32's limit make the second member's losses overflow in its first epoch.
    xs = [_rows(60, 9), _rows(60, 10, scale=1e18)]
    loop, fit = _both(monkeypatch, xs, CONFIG, seeds=[11, 12])
    _assert_same(loop, fit)
    (_, weights_ok, history_ok), (_, weights_bad, history_bad) = loop
    assert divergence(history_ok, weights_ok) is None
    assert divergence(history_bad, weights_bad) is not None
    assert len(history_bad["loss"]) == 1 < len(history_ok["loss"])


def test_a_stream_that_does_not_hold_every_epoch_trains_through_fit(monkeypatch):
    # max values below one epoch: the stream is read again, which only fit does.
    monkeypatch.setattr(_training, "MAX_STREAM_VALUES", 64 * 16 * 5)
    config = dataclasses.replace(CONFIG, epochs=3)
    called = []
    from vae_oversampler._training import tf_loop as _tf_loop

    monkeypatch.setattr(_tf_loop, "fit_epochs", lambda *a, **k: called.append(1))
    (result,) = train_stack([_rows(50, 13)], config, seeds=[14])
    assert not called and len(result[2]["loss"]) >= 1


def test_a_model_dropped_from_the_pool_is_freed_with_its_loop():
    import gc
    import weakref

    from vae_oversampler._training import pool as _pool
    from vae_oversampler._training import tf_loop as _tf_loop

    model, _ = _pool._new_compiled_model(
        {"n_members": 1, "n_features": 5, "latent_dim": 2, "hidden_layer_sizes": (8,)}, 16
    )
    stream = _rows(64 * 16 * 2, 15)[:, None]
    histories, _ = _tf_loop.fit_epochs(model, stream, 64, 16, 2, None, None, [], 2)
    assert len(histories[0]["loss"]) == 2
    assert model in _tf_loop._loops
    dead = weakref.ref(model)
    del model
    gc.collect()
    assert dead() is None
