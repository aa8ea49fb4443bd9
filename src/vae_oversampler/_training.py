"""Training one class's VAE: the split, the epoch layout, the Keras ``fit`` call.

Everything random here comes from the integer ``seed`` the sampler hands over, so the same seed
trains the same weights bit for bit, and no global random state is read or changed.
"""

import math
from dataclasses import dataclass

import numpy as np

# The rows of all epochs are laid out in one array, so that Keras builds its data iterator once
# per fit instead of once per epoch. Above this many values the array holds fewer epochs, and
# Keras reads it again from the start.
MAX_STREAM_VALUES = 2**24
# Held-out rows are scored in one batch of exactly this many rows (repeated and weighted when
# there are fewer, a random subset when there are more), so that every class shares one traced
# test function; see ``validation_batch``.
VALIDATION_ROWS = 256
# A validation split needs at least this many rows on each side, otherwise early stopping is
# switched off for the class.
MIN_SPLIT_ROWS = 2


@dataclass(frozen=True)
class TrainingConfig:
    """The sampler's training parameters, resolved for one class."""

    latent_dim: int
    hidden_layer_sizes: tuple
    image_shape: tuple | None
    categorical_sizes: tuple
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


def epoch_layout(n_train: int, batch_size: int, steps_per_execution: int) -> int:
    """Return the gradient steps of one epoch.

    An epoch is the smallest whole number of compiled calls (``steps_per_execution`` steps
    each) that covers one pass over the training rows. A small class thus gets several passes
    per epoch, which amortises Keras's fixed cost per epoch, and every call runs in full.
    """
    steps_per_pass = math.ceil(n_train / batch_size)
    return math.ceil(steps_per_pass / steps_per_execution) * steps_per_execution


def validation_batch(x_val: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """``VALIDATION_ROWS`` held-out rows and weights that count each distinct row once."""
    n_val = len(x_val)
    if n_val >= VALIDATION_ROWS:
        return x_val[rng.choice(n_val, VALIDATION_ROWS, replace=False)], np.ones(VALIDATION_ROWS)
    rows = np.resize(np.arange(n_val), VALIDATION_ROWS)
    return x_val[rows], 1.0 / np.bincount(rows)[rows]


def training_stream(
    x: np.ndarray, train_idx: np.ndarray, batch: int, steps: int, epochs: int, rng
):
    """Rows ``train_idx`` of ``x`` laid out for ``epochs`` epochs of ``steps`` batches.

    Each pass over the training rows is a fresh permutation, and batches run across pass
    boundaries, so every batch is full, even for a class smaller than a batch. Keras then
    traces one training function per pooled model, which trains bit for bit as a new one would
    (a second batch shape retraces it into a shape-generic, slightly different graph). When
    all epochs would exceed ``MAX_STREAM_VALUES``
    values, the stream holds as many whole epochs as fit (at least one) and is read again.
    """
    n_train, n_features = len(train_idx), x.shape[1]
    rows_per_epoch = steps * batch
    n_epochs = max(1, min(epochs, MAX_STREAM_VALUES // (rows_per_epoch * n_features)))
    n_rows = n_epochs * rows_per_epoch
    order = np.concatenate([rng.permutation(n_train) for _ in range(-(-n_rows // n_train))])
    return x[train_idx[order[:n_rows]]]


def train_class_vae(x: np.ndarray, config: TrainingConfig, seed: int):
    """Train one VAE on the standardised float32 rows ``x`` of a class.

    Returns plain Python and NumPy values, so that the result crosses process boundaries
    (joblib's processes, a Dask cluster) without serialising a Keras model; pass them to
    :func:`build_vae`.

    Returns
    -------
    model_config : dict
        Constructor arguments of the ``TabularVAE`` or ``ImageVAE``.
    weights : list of ndarray
        The trained weights (the best validation weights when early stopping ran).
    history : dict of str to list of float
        Per-epoch ``loss``, ``reconstruction_loss`` and ``kl_loss``, and their ``val_`` versions
        when the class was large enough for a validation split.
    """
    import keras

    from ._callbacks import HeldOutLoss
    from ._pool import STEPS_PER_EXECUTION, compiled_vae

    rng = np.random.RandomState(seed)
    train_idx, val_idx = split_rows(len(x), config, rng)
    batch = config.batch_size
    steps = epoch_layout(len(train_idx), batch, STEPS_PER_EXECUTION)
    x_stream = training_stream(x, train_idx, batch, steps, config.epochs, rng)
    model_seed = int(rng.randint(2**31 - 1))
    architecture = {"latent_dim": config.latent_dim, "beta": config.beta}
    if config.image_shape is None:
        architecture.update(
            n_features=x.shape[1],
            hidden_layer_sizes=config.hidden_layer_sizes,
            categorical_sizes=config.categorical_sizes,
        )
    else:
        architecture.update(image_shape=config.image_shape)

    callbacks = []
    if len(val_idx):
        x_val, val_weight = validation_batch(x[val_idx], rng)
        callbacks = [
            HeldOutLoss(x_val, sample_weight=val_weight),
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=config.n_iter_no_change, restore_best_weights=True
            ),
        ]
    with compiled_vae(
        architecture, batch_size=batch, seed=model_seed, learning_rate=config.learning_rate
    ) as trainer:
        fitted = trainer.fit(
            x_stream,
            batch_size=batch,
            steps_per_epoch=steps,
            epochs=config.epochs,
            shuffle=False,
            callbacks=callbacks,
            verbose=2 if config.verbose >= 2 else 0,
        )
        weights = trainer.get_weights()
    history = {key: [float(v) for v in values] for key, values in fitted.history.items()}
    return {**architecture, "seed": model_seed}, weights, history


def build_vae(model_config: dict, weights):
    """A new VAE of ``model_config`` holding trained ``weights``."""
    from ._pool import new_vae

    model = new_vae(model_config)
    model.set_weights(weights)
    return model
