"""Training one class's VAE: the split, the epoch layout, the Keras ``fit`` call.

Everything random here comes from the integer ``seed`` the sampler hands over, so the same seed
trains the same weights bit for bit, and no global random state is read or changed.
"""

import math
from dataclasses import dataclass

import numpy as np

# An epoch of a small class is made of several shuffled passes over its rows, so that it runs
# at least this many gradient steps: Keras pays a fixed cost per epoch (callbacks, logs,
# validation) that dwarfs a tiny class's arithmetic.
MIN_STEPS_PER_EPOCH = 25
# The rows of all epochs are laid out in one array, each epoch a fresh shuffle, so that Keras
# builds its data iterator once per fit instead of once per epoch. Above this many values the
# array holds one shuffle only, which every epoch then reads again in the same order.
MAX_STREAM_VALUES = 2**24
# A validation split needs at least this many rows on each side, otherwise early stopping is
# switched off for the class.
MIN_SPLIT_ROWS = 2


@dataclass(frozen=True)
class TrainingConfig:
    """The sampler's training parameters, resolved for one class."""

    latent_dim: int
    hidden_layer_sizes: tuple
    epochs: int
    batch_size: int
    learning_rate: float
    beta: float
    early_stopping: bool
    validation_fraction: float
    n_iter_no_change: int
    verbose: int


def split_rows(n_rows: int, config: TrainingConfig, rng: np.random.RandomState):
    """Return ``(train_idx, val_idx)``; ``val_idx`` is empty when the class is too small."""
    order = rng.permutation(n_rows)
    n_val = math.ceil(config.validation_fraction * n_rows) if config.early_stopping else 0
    if n_val < MIN_SPLIT_ROWS or n_rows - n_val < MIN_SPLIT_ROWS:
        return order, order[:0]
    return order[n_val:], order[:n_val]


def epoch_layout(n_train: int, batch_size: int):
    """Return ``(batch_size, passes)``: the batch size used and the passes that make one epoch."""
    batch = min(batch_size, n_train)
    steps_per_pass = n_train // batch
    passes = max(1, math.ceil(MIN_STEPS_PER_EPOCH / steps_per_pass))
    return batch, passes


def epoch_stream(x_train: np.ndarray, batch: int, passes: int, epochs: int, rng):
    """Rows for the whole training run, and the number of batches in one epoch.

    An epoch is ``passes`` independent shuffles of the training rows, cut to whole batches (a
    last, smaller batch would make Keras trace a second training function). When the rows of
    every epoch fit in ``MAX_STREAM_VALUES`` they are all laid out, each epoch shuffled anew;
    otherwise the stream holds one epoch.
    """
    n_train, n_features = x_train.shape
    steps = (n_train * passes) // batch
    n_epochs = epochs if steps * batch * epochs * n_features <= MAX_STREAM_VALUES else 1
    order = np.concatenate([rng.permutation(n_train) for _ in range(passes * n_epochs)])
    order = order.reshape(n_epochs, -1)[:, : steps * batch].ravel()
    return x_train[order], steps


def train_class_vae(x: np.ndarray, config: TrainingConfig, seed: int, label=None):
    """Train one VAE on the standardised float32 rows ``x`` of a class.

    Returns
    -------
    model : TabularVAE
        A new model holding the trained weights (the best validation weights when early
        stopping ran).
    history : dict of str to list of float
        Per-epoch ``loss``, ``reconstruction_loss`` and ``kl_loss``, and their ``val_`` versions
        when the class was large enough for a validation split.
    """
    import keras

    from ._model import TabularVAE
    from ._pool import compiled_vae

    rng = np.random.RandomState(seed)
    train_idx, val_idx = split_rows(len(x), config, rng)
    batch, passes = epoch_layout(len(train_idx), config.batch_size)
    x_stream, steps = epoch_stream(x[train_idx], batch, passes, config.epochs, rng)
    model_seed = int(rng.randint(2**31 - 1))
    architecture = {
        "n_features": x.shape[1],
        "latent_dim": config.latent_dim,
        "hidden_layer_sizes": config.hidden_layer_sizes,
        "beta": config.beta,
    }

    callbacks = []
    fit_kwargs = {}
    if len(val_idx):
        x_val = x[val_idx]
        fit_kwargs = {"validation_data": (x_val,), "validation_batch_size": len(x_val)}
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss",
                patience=config.n_iter_no_change,
                restore_best_weights=True,
            )
        )
    with compiled_vae(
        **architecture, seed=model_seed, learning_rate=config.learning_rate
    ) as trainer:
        fitted = trainer.fit(
            x_stream,
            batch_size=batch,
            steps_per_epoch=steps,
            epochs=config.epochs,
            shuffle=False,
            callbacks=callbacks,
            verbose=2 if config.verbose >= 2 else 0,
            **fit_kwargs,
        )
        weights = trainer.get_weights()
    model = TabularVAE(**architecture, seed=model_seed)
    model.build((None, x.shape[1]))
    model.set_weights(weights)
    history = {key: [float(v) for v in values] for key, values in fitted.history.items()}
    return model, history
