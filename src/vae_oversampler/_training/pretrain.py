"""One shared start per call (``pretrain_steps``): a VAE trained on rows of every class.

A class of a few dozen rows cannot teach its VAE anything that SMOTE does not also know.
Before the classes train, one VAE of the classes' own architecture trains on a seeded
subsample of every row the call sees (at most ``MAX_PRETRAIN_ROWS``, each row scaled as its
class scales it), for a fixed number of steps and without early stopping. Each class's VAE
then starts from a copy of those weights, with fresh optimizer moments, and trains on the class
alone as it would otherwise. The cost is bounded whatever the table's size, and paid once per
call, not once per class.

Tables with holes: each class's rows end with the missingness indicators of its own columns
with holes, so the shared VAE reads the union of them (a class without holes in a column has
a 0 there), and :func:`class_start` cuts each class's first and last layers down to its own.
"""

import dataclasses
import math

import numpy as np

from .train import AUTO_BATCH_SIZE, TrainingConfig, epoch_layout

# Rows the shared VAE trains on, at most: a subsample of a bigger table.
MAX_PRETRAIN_ROWS = 4096


def pretrain_sample(y, rng: np.random.RandomState) -> np.ndarray:
    """Sorted positions of the rows (at most ``MAX_PRETRAIN_ROWS``) that the shared VAE
    trains on: every row of a small table, a uniform subsample of a big one."""
    if len(y) <= MAX_PRETRAIN_ROWS:
        return np.arange(len(y))
    return np.sort(rng.choice(len(y), MAX_PRETRAIN_ROWS, replace=False))


def union_missing(missing: list) -> tuple:
    """The indicator columns of the shared VAE: the union of the classes' ``(column,
    model_column)`` pairs (``ClassMissing.columns`` and ``model_columns``; ``None`` for a
    class without holes), numeric columns first, as each class orders its own."""
    pairs = {
        (int(column), int(model))
        for m in missing
        if m is not None
        for column, model in zip(m.columns, m.model_columns, strict=True)
    }
    return tuple(sorted(pairs, key=lambda pair: (pair[1] < 0, pair[0])))


def widen(matrix: np.ndarray, n_encoded: int, missing, union: tuple) -> np.ndarray:
    """A class's encoded rows with the union's indicators: its own where it has them, 0
    elsewhere."""
    if not union:
        return matrix
    out = np.zeros((len(matrix), n_encoded + len(union)), np.float32)
    out[:, :n_encoded] = matrix[:, :n_encoded]
    if missing is not None:
        position = {column: i for i, (column, _) in enumerate(union)}
        for i, column in enumerate(missing.columns):
            out[:, n_encoded + position[int(column)]] = matrix[:, n_encoded + i]
    return out


def class_start(weights: list, n_encoded: int, union: tuple, missing) -> list:
    """The shared VAE's weights (``TabularVAE.get_weights`` order) cut to a class whose rows
    end with ``missing``'s indicators: the first layer's rows and the output layer's columns
    of the union's other indicators are dropped."""
    if not union:
        return weights
    position = {column: i for i, (column, _) in enumerate(union)}
    own = [] if missing is None else [n_encoded + position[int(c)] for c in missing.columns]
    keep = np.r_[np.arange(n_encoded), np.asarray(own, dtype=np.int64)]
    weights = list(weights)
    # [x_log_var, first encoder kernel, its bias, ..., output kernel, output bias]
    weights[1] = weights[1][keep]
    weights[-2] = weights[-2][:, keep]
    weights[-1] = weights[-1][keep]
    return weights


def pretrain_config(config: TrainingConfig, n_rows: int, steps: int) -> TrainingConfig:
    """``config`` for the shared VAE: about ``steps`` steps of ``AUTO_BATCH_SIZE`` rows (whole
    epochs of :func:`~vae_oversampler._training.train.epoch_layout`) and no early stopping."""
    per_epoch, _ = epoch_layout(n_rows, AUTO_BATCH_SIZE)
    epochs = max(1, math.ceil(steps / per_epoch))
    return dataclasses.replace(
        config, epochs=epochs, early_stopping=False, batch_size=AUTO_BATCH_SIZE, verbose=0
    )


def pretrain(rows: np.ndarray, config: TrainingConfig, seed: int, steps: int, union=()) -> list:
    """The weights of the shared VAE, trained for about ``steps`` steps on ``rows`` (tabular
    rows ending with the ``union`` indicators, or pixel rows when ``config`` names an image
    shape)."""
    from .train import train_images, train_stack

    pre = pretrain_config(config, len(rows), steps)
    if config.image_shape is not None:
        ((_, weights, _),) = train_images([rows], pre, [seed])
    else:
        missing_columns = tuple(model for _, model in union)
        ((_, weights, _),) = train_stack([rows], pre, [seed], missing_columns)
    return weights


def shared_starts(X, y, codec, codecs: dict, matrices: dict, config, steps: int, seed) -> dict:
    """Each over-sampled class's starting weights (``{label: weights}``), cut from one VAE
    trained for about ``steps`` steps on a subsample (:func:`pretrain_sample`) of every class's
    rows of ``X``.

    ``codec`` is the call's ``TableCodec``; ``codecs`` and ``matrices`` the over-sampled
    classes' ``ClassCodec`` and encoded rows, which the subsample reuses; the other classes'
    sampled rows are encoded by a ``ClassCodec`` fitted on them alone. Everything random comes
    from ``seed``.
    """
    rng = np.random.RandomState(seed)
    chosen = pretrain_sample(y, rng)
    n_encoded = codec.layout.n_encoded
    missing = {label: c.missing for label, c in codecs.items()}
    parts = {}
    for label in np.unique(y):  # every class, the majority included
        picked = chosen[y[chosen] == label]
        if label in matrices:
            # The class's own encoded rows, as it trains on them.
            parts[label] = matrices[label][np.searchsorted(np.flatnonzero(y == label), picked)]
        elif len(picked):
            other, parts[label] = codec.fit_class(X[picked], label)
            missing[label] = other.missing
    union = union_missing(list(missing.values()))
    rows = np.concatenate(
        [widen(part, n_encoded, missing[label], union) for label, part in parts.items()]
    )
    weights = pretrain(rows, config, int(rng.randint(2**31 - 1)), steps, union)
    if codec.image_shape is not None:
        return dict.fromkeys(matrices, weights)
    return {label: class_start(weights, n_encoded, union, missing[label]) for label in matrices}
