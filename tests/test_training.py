"""The training layout, stacks of classes trained together, and pooled models training
exactly as new ones."""

import dataclasses

import numpy as np
import pytest

from vae_oversampler._training import pool as _pool
from vae_oversampler._training.train import (
    VALIDATION_ROWS,
    TrainingConfig,
    build_vae,
    class_batch_size,
    epoch_layout,
    prepare_class,
    split_rows,
    stack_key,
    stacks,
    train_images,
    train_stack,
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
    "n_train, steps, per_call",
    [
        (10, 16, 16),
        (64 * 16, 16, 16),
        (64 * 16 + 1, 32, 16),
        (64 * 256, 256, 16),  # the longest pass that keeps 16 steps per call
        (64 * 256 + 1, 272, 272),  # 257 steps = 17 blocks of 16, in one call
        (100_000, 1568, 784),  # 1563 steps = 98 blocks: 2 calls of 49
        (900_000, 14112, 1008),  # 14063 steps = 879 blocks: 14 calls of 63 (3 blocks more)
    ],
)
def test_epoch_is_whole_calls_covering_a_pass(n_train, steps, per_call):
    assert epoch_layout(n_train, 64) == (steps, per_call)
    assert steps >= -(-n_train // 64)
    # At most one block of 16 steps per call longer than at 16 steps per call.
    assert steps - 16 * -(-n_train // (64 * 16)) <= 16 * (steps // per_call)
    assert steps % per_call == 0 and per_call % 16 == 0 and per_call <= 1024


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
    monkeypatch.setattr("vae_oversampler._training.train.MAX_STREAM_VALUES", 64 * 16 * 3 * 2)
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


def test_pooled_image_model_trains_bitwise_like_a_new_one():
    config = dataclasses.replace(CONFIG, image_shape=(8, 8, 1), epochs=2)
    rng = np.random.RandomState(0)
    first, second = rng.uniform(size=(51, 64)), rng.uniform(size=(30, 64))
    first, second = first.astype(np.float32), second.astype(np.float32)
    _pool.clear()
    ((_, fresh, fresh_history),) = train_images([second], config, seeds=[1])
    train_images([first], config, seeds=[2])  # the pool now holds a model trained on other rows
    ((_, reused, reused_history),) = train_images([second], config, seeds=[1])
    assert reused_history == fresh_history
    for a, b in zip(fresh, reused, strict=True):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize(
    "n_train, batch",
    [
        (10, 64),
        (64 * 256, 64),  # the longest pass that keeps batches of 64
        (64 * 256 + 1, 128),
        (100_000, 512),
        (900_000, 1024),
        (10_000_000, 1024),  # at most MAX_AUTO_BATCH_SIZE
    ],
)
def test_auto_batch_grows_with_the_class(n_train, batch):
    assert class_batch_size(n_train, "auto") == batch
    assert class_batch_size(n_train, 32) == 32
    assert -(-n_train // batch) <= 256 or batch == 1024


def _rows(n, width=4, seed=0):
    return np.random.RandomState(seed).normal(size=(n, width)).astype(np.float32)


def _layout(data):
    return data.batch_size, data.steps, data.steps_per_execution


@pytest.mark.parametrize("batch_size", [64, "auto"])
@pytest.mark.parametrize("n_rows", [3, 10, 19, 20, 50, 1137, 1138, 1139, 5000, 20_000])
def test_stack_key_is_the_epoch_layout_the_class_gets(n_rows, batch_size):
    config = dataclasses.replace(CONFIG, epochs=1, batch_size=batch_size)
    assert stack_key(n_rows, config) == _layout(prepare_class(_rows(n_rows), config, seed=0))
    off = dataclasses.replace(config, early_stopping=False)
    assert stack_key(n_rows, off) == _layout(prepare_class(_rows(n_rows), off, seed=0))


def test_stacks_group_classes_of_one_epoch_length_in_order(monkeypatch):
    sizes = {"a": 50, "b": 5000, "c": 60, "d": 70, "e": 5100}
    assert stacks(sizes, CONFIG) == [["a", "c", "d"], ["b", "e"]]
    monkeypatch.setattr("vae_oversampler._training.train.MAX_STACK_MEMBERS", 2)
    assert stacks(sizes, CONFIG) == [["a", "c"], ["d"], ["b", "e"]]


def test_stack_refuses_classes_of_different_epoch_lengths():
    with pytest.raises(
        ValueError, match=r"same epoch layout .*, got \[\(64, 16, 16\), \(64, 80, 16\)\]"
    ):
        train_stack([_rows(50), _rows(5000)], CONFIG, seeds=[0, 1])


@pytest.mark.parametrize("n_features, categorical_sizes", [(6, (2,)), (5, ()), (3, (3,))])
def test_stack_members_start_as_their_tabular_vaes(n_features, categorical_sizes):
    from vae_oversampler._training.pool import new_vae

    architecture = {
        "n_features": n_features,
        "latent_dim": 3,
        "hidden_layer_sizes": (8, 5),
        "beta": 1.0,
        "categorical_sizes": categorical_sizes,
        "output_variance": "sigmoid",
    }
    stacked = new_vae({**architecture, "n_members": 3})
    stacked.reinitialize([7, 8, 9])
    for k, seed in enumerate([7, 8, 9]):
        single = new_vae({**architecture, "seed": seed})
        expected = single.get_weights()
        (got,) = stacked.member_weights([k])
        assert [w.shape for w in got] == [w.shape for w in expected]
        for a, b in zip(got, expected, strict=True):
            assert a.tobytes() == b.tobytes()


def test_trained_members_become_tabular_vaes_that_decode_alike():
    from keras import ops

    from vae_oversampler._training.pool import new_vae

    config = dataclasses.replace(CONFIG, epochs=2)
    results = train_stack([_rows(60, seed=1), _rows(40, seed=2)], config, seeds=[3, 4])
    model_config = {key: value for key, value in results[0][0].items() if key != "seed"}
    stacked = new_vae({**model_config, "n_members": 2})
    stacked.set_weights([np.stack(w) for w in zip(results[0][1], results[1][1], strict=True)])
    z = np.random.RandomState(0).normal(size=(5, config.latent_dim)).astype(np.float32)
    stacked_out = ops.convert_to_numpy(stacked.decode(np.stack([z, z])))
    for k, (member_config, weights, _) in enumerate(results):
        single_out = ops.convert_to_numpy(build_vae(member_config, weights).decode(z))
        np.testing.assert_allclose(stacked_out[k], single_out, rtol=1e-5, atol=1e-6)
    assert not np.allclose(stacked_out[0], stacked_out[1])


def test_a_member_trains_alike_whatever_its_neighbours():
    config = dataclasses.replace(CONFIG, epochs=4)
    a, b, c = _rows(80, seed=1), _rows(90, seed=2), 5 * _rows(70, seed=3)
    with_b = train_stack([a, b], config, seeds=[1, 2])[0]
    with_c = train_stack([a, c], config, seeds=[1, 5])[0]
    alone = train_stack([a], config, seeds=[1])[0]
    assert with_b[2] == with_c[2]  # the same history, bit for bit
    for x, y, z in zip(with_b[1], with_c[1], alone[1], strict=True):
        assert x.tobytes() == y.tobytes()
        # Alone, the batched products have another shape: equal up to rounding.
        np.testing.assert_allclose(x, z, rtol=1e-4, atol=1e-5)


def test_each_member_stops_early_on_its_own():
    # Member 0 has a validation split; member 1 (10 rows) is too small for one and trains
    # every epoch; member 2 has a split and a patience of 1.
    config = dataclasses.replace(CONFIG, epochs=40, n_iter_no_change=1, learning_rate=0.05)
    xs = [_rows(100, seed=1), _rows(10, seed=2), _rows(300, seed=3)]
    results = train_stack(xs, config, seeds=[1, 2, 3])
    histories = [history for _, _, history in results]
    assert "val_loss" not in histories[1] and len(histories[1]["loss"]) == 40
    for history in (histories[0], histories[2]):
        val = history["val_loss"]
        assert len(val) == len(history["loss"]) == len(history["kl_loss"])
        # Keras's EarlyStopping: stop once `patience` epochs pass without a new best.
        assert len(val) == 40 or len(val) - 1 - int(np.argmin(val)) == 1
    assert any(len(h["val_loss"]) < 40 for h in (histories[0], histories[2]))


def test_test_on_batch_starts_from_reset_metrics():
    # HeldOutLoss relies on it: otherwise val_ losses would average over epochs.
    from vae_oversampler._training.pool import compiled_vae

    architecture = {
        "n_features": 4,
        "latent_dim": 2,
        "hidden_layer_sizes": (8,),
        "beta": 1.0,
        "categorical_sizes": (),
    }
    with compiled_vae(
        architecture, batch_size=64, seed=0, learning_rate=1e-3, steps_per_execution=16
    ) as model:
        model.reset_metrics()
        first = model.test_on_batch(_rows(256, seed=1), return_dict=True)
        model.reset_seed(0)  # the same reparameterisation noise for both calls below
        second = model.test_on_batch(10 * _rows(256, seed=2), return_dict=True)
        model.reset_metrics()
        model.reset_seed(0)
        alone = model.test_on_batch(10 * _rows(256, seed=2), return_dict=True)
    assert second["reconstruction_loss"] > 10 * first["reconstruction_loss"]
    assert second == alone


def test_pooled_stack_trains_bitwise_like_a_new_one():
    xs = [_rows(51, seed=1), _rows(30, seed=2)]
    _pool.clear()
    fresh = train_stack(xs, CONFIG, seeds=[1, 2])
    train_stack([_rows(60, seed=3), _rows(70, seed=4)], CONFIG, seeds=[5, 6])
    reused = train_stack(xs, CONFIG, seeds=[1, 2])
    for (_, w_fresh, h_fresh), (_, w_reused, h_reused) in zip(fresh, reused, strict=True):
        assert h_fresh == h_reused
        for a, b in zip(w_fresh, w_reused, strict=True):
            assert a.tobytes() == b.tobytes()


def test_steps_per_call_change_the_speed_not_the_numbers(monkeypatch):
    # 17,000 rows, 15,300 after the split: 240 steps per pass at batch 64, so a single call
    # of 240 steps; the 16-step layout runs the same 240 steps in 15 calls.
    config = dataclasses.replace(CONFIG, epochs=2)
    monkeypatch.setattr("vae_oversampler._training.train.LONG_PASS_STEPS", 128)
    x = _rows(17_000, seed=5)
    assert stack_key(len(x), config) == (64, 240, 240)
    long_calls = train_stack([x], config, seeds=[3])
    monkeypatch.setattr("vae_oversampler._training.train.LONG_PASS_STEPS", 10**9)
    assert stack_key(len(x), config) == (64, 240, 16)
    short_calls = train_stack([x], config, seeds=[3])
    ((_, w_long, h_long),) = long_calls
    ((_, w_short, h_short),) = short_calls
    assert h_long == h_short
    for a, b in zip(w_long, w_short, strict=True):
        assert a.tobytes() == b.tobytes()


def test_early_stopping_keeps_the_weights_of_the_best_epoch_as_keras_does():
    """The kept weights are those Keras's own EarlyStopping(restore_best_weights=True)
    restores on the same model, rows and held-out batch: an oracle outside the library
    (the library's compiled loop and MemberEarlyStopping are checked against each other in
    test_tf_loop.py; a bug they shared would pass there, not here)."""
    import keras

    from vae_oversampler._training.callbacks import HeldOutLoss
    from vae_oversampler._training.pool import compiled_vae

    config = dataclasses.replace(CONFIG, epochs=60, n_iter_no_change=2, learning_rate=0.03)
    x = _rows(120, seed=4)
    ((_, weights, history),) = train_stack([x], config, seeds=[4])
    val = history["val_loss"]
    best = int(np.argmin(val))
    # The run stopped early, some epochs after its best one: the last weights are not the best.
    assert len(val) < 60 and len(val) - 1 - best == config.n_iter_no_change

    data = prepare_class(x, config, seed=4)
    architecture = {
        "latent_dim": 2,
        "beta": 1.0,
        "n_features": 4,
        "hidden_layer_sizes": (16,),
        "categorical_sizes": (),
        "missing_columns": (),
        "output_variance": "sigmoid",
        "n_members": 1,
    }
    with compiled_vae(
        architecture,
        batch_size=data.batch_size,
        seed=[data.model_seed],
        learning_rate=config.learning_rate,
        steps_per_execution=data.steps_per_execution,
    ) as model:
        stopping = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=config.n_iter_no_change, restore_best_weights=True
        )
        logged = keras.callbacks.History()
        held_out = HeldOutLoss(data.x_val[:, None], data.val_weight[:, None])
        model.fit(
            data.stream[:, None],
            batch_size=data.batch_size,
            steps_per_epoch=data.steps,
            epochs=config.epochs,
            shuffle=False,
            callbacks=[held_out, stopping, logged],
            verbose=0,
        )
        keras_val = [float(np.asarray(v).ravel()[0]) for v in logged.history["val_loss"]]
        restored = model.member_weights([0])[0]
    assert stopping.best_epoch == best and len(keras_val) == len(val)
    np.testing.assert_allclose(keras_val, val, rtol=1e-6)
    for ours, keras_weights in zip(weights, restored, strict=True):
        assert ours.tobytes() == keras_weights.tobytes()


def test_a_big_stack_trains_alike_in_batched_and_in_per_member_products(monkeypatch):
    """Stacks of up to MAX_SPLIT_MEMBERS multiply each member on its own (and skip stopped
    members in the one-call loop), bigger ones in batched products: the same numbers on
    TensorFlow, the same up to rounding elsewhere (XLA's batched products round apart)."""
    import keras

    from vae_oversampler._models import stacked

    config = dataclasses.replace(CONFIG, epochs=6, n_iter_no_change=1, learning_rate=0.05)
    xs = [(1 + k) * _rows(40 + 10 * k, seed=k) for k in range(7)]
    results = {}
    for split in (5, 8):
        monkeypatch.setattr(stacked, "MAX_SPLIT_MEMBERS", split)
        _pool.clear()
        results[split] = train_stack(xs, config, seeds=list(range(10, 17)))
    assert len({len(h["loss"]) for _, _, h in results[8]}) > 1  # members stopped apart
    exact = keras.backend.backend() == "tensorflow"
    for (_, a, history_a), (_, b, history_b) in zip(results[5], results[8], strict=True):
        if exact:
            assert history_a == history_b
            for x, y in zip(a, b, strict=True):
                assert x.tobytes() == y.tobytes()
        else:
            assert len(history_a["loss"]) == len(history_b["loss"])
            np.testing.assert_allclose(history_a["loss"], history_b["loss"], rtol=1e-4)
            for x, y in zip(a, b, strict=True):
                np.testing.assert_allclose(x, y, rtol=1e-3, atol=1e-4)
