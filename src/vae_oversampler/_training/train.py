"""Training the classes' VAEs: each class's split and epoch layout, the stacks of tabular
classes that train side by side, and the choice between Keras's ``fit`` and the one-call
loop of ``_tf_loop``.

Everything random here comes from the integer ``seed`` the sampler hands over, so the same seed
trains the same weights bit for bit, and no global random state is read or changed.
"""

import math
import warnings
from dataclasses import dataclass, replace
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed

from .._data.validation import plain
from .._models.size import check_model_size
from ..exceptions import TrainingDivergedError

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
# Classes per StackedTabularVAE. One step costs little more for a few members than for one,
# but each stack is one job for n_jobs, so more classes than this make several stacks.
MAX_STACK_MEMBERS = 8
# Gradient steps per compiled call (Keras's ``steps_per_execution``). Keras runs exactly this
# many per call whatever the epoch length, so epochs are laid out in whole multiples of it (see
# ``epoch_layout``). Keras's PyTorch backend runs one batch per call only; epochs keep the same
# layout there.
STEPS_PER_EXECUTION = 16
# Classes with more steps per pass than this run up to MAX_STEPS_PER_EXECUTION steps per call.
# Measured on a 100k-row class (2 cores, TensorFlow, medians of 9-11 interleaved epochs): 1.41
# and 1.67 ms per step at 16 steps per call (minimums 0.97 and 1.00), 0.87 ms at 224, 0.82 ms
# at 784.
LONG_PASS_STEPS = 256
MAX_STEPS_PER_EXECUTION = 1024
# batch_size="auto": this many rows per step, doubled (up to MAX_AUTO_BATCH_SIZE) while a pass
# over the class's training rows takes more than LONG_PASS_STEPS steps. Every class of at most
# 16,384 training rows keeps batches of 64; a 100k-row class gets 512, a 1M-row class 1,024.
# A step's fixed cost, not its arithmetic, is what a big class pays at 64 rows a step.
AUTO_BATCH_SIZE = 64
MAX_AUTO_BATCH_SIZE = 1024
# A class whose training diverged is trained once more from its fresh start, at its learning
# rate times this factor.
RETRY_LEARNING_RATE_FACTOR = 0.1
# On TensorFlow, a stack whose stream holds all its epochs trains them in one compiled call
# (see ``_tf_loop``), which gives the same weights as ``Model.fit`` with the callbacks, bit for
# bit, without fit's fixed cost per epoch. Tests switch it off to compare the two.
ONE_CALL_EPOCHS = True


@dataclass(frozen=True)
class TrainingConfig:
    """The sampler's training parameters, resolved for one class."""

    latent_dim: int
    hidden_layer_sizes: tuple
    image_shape: tuple | None
    categorical_sizes: tuple
    epochs: int
    batch_size: int | str
    learning_rate: float
    beta: float
    early_stopping: bool
    validation_fraction: float
    n_iter_no_change: int
    verbose: int


def training_config(params: dict, n_features, image_shape, categorical_sizes) -> TrainingConfig:
    """The :class:`TrainingConfig` of a sampler's ``get_params()`` for rows of ``n_features``
    encoded values (``latent_dim="auto"`` resolved), raising a ValueError for hidden layer
    sizes that are not positive integers."""
    sizes = params["hidden_layer_sizes"]
    hidden = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
    if not hidden or any(not isinstance(h, Integral) or h < 1 for h in hidden):
        raise ValueError(
            f"hidden_layer_sizes must hold positive integers, got {sizes!r}; for example "
            "hidden_layer_sizes=(64, 64)."
        )
    latent_dim = params["latent_dim"]
    latent_dim = min(n_features, 8) if latent_dim == "auto" else latent_dim
    check_model_size(n_features, int(latent_dim), hidden, image_shape)
    return TrainingConfig(
        latent_dim=int(latent_dim),
        hidden_layer_sizes=tuple(int(h) for h in hidden),
        image_shape=image_shape,
        categorical_sizes=categorical_sizes,
        epochs=params["epochs"],
        batch_size=params["batch_size"],
        learning_rate=float(params["learning_rate"]),
        beta=float(params["beta"]),
        early_stopping=bool(params["early_stopping"]),
        validation_fraction=float(params["validation_fraction"]),
        n_iter_no_change=params["n_iter_no_change"],
        verbose=int(params["verbose"]),
    )


def progress_line(label, n_rows: int, history: dict) -> str:
    """The line ``verbose=1`` prints for a trained class."""
    line = (
        f"[VAEOverSampler] class {plain(label)!r}: {n_rows} rows, {len(history['loss'])} epochs, "
        f"loss {history['loss'][-1]:.4g}"
    )
    if "val_loss" in history:
        line += f", best val_loss {min(history['val_loss']):.4g}"
    return line


def held_out_rows(n_rows: int, config: TrainingConfig) -> int:
    """Rows held out for early stopping: none when it is off or the class is too small."""
    n_val = math.ceil(config.validation_fraction * n_rows) if config.early_stopping else 0
    return 0 if n_val < MIN_SPLIT_ROWS or n_rows - n_val < MIN_SPLIT_ROWS else n_val


def split_rows(n_rows: int, config: TrainingConfig, rng: np.random.RandomState):
    """Return ``(train_idx, val_idx)``; ``val_idx`` is empty when the class is too small."""
    order = rng.permutation(n_rows)
    n_val = held_out_rows(n_rows, config)
    return order[n_val:], order[:n_val]


def steps_per_execution(steps_per_pass: int) -> int:
    """Gradient steps per compiled call for a class whose pass takes ``steps_per_pass`` steps.

    ``STEPS_PER_EXECUTION`` for most classes. A class of more than ``LONG_PASS_STEPS`` steps
    per pass runs at most ``MAX_STEPS_PER_EXECUTION``: the fewest calls that cover a pass, each
    a whole number of ``STEPS_PER_EXECUTION`` blocks, so that its epoch is at most one block
    per call longer than at ``STEPS_PER_EXECUTION``. Each compiled call costs TensorFlow
    milliseconds of its own, which a big class would otherwise pay a thousand times per epoch.
    """
    if steps_per_pass <= LONG_PASS_STEPS:
        return STEPS_PER_EXECUTION
    calls = math.ceil(steps_per_pass / MAX_STEPS_PER_EXECUTION)
    blocks = math.ceil(steps_per_pass / STEPS_PER_EXECUTION)
    return STEPS_PER_EXECUTION * math.ceil(blocks / calls)


def class_batch_size(n_train: int, batch_size: int | str) -> int:
    """Rows per gradient step for a class of ``n_train`` training rows: ``batch_size``, or
    for ``"auto"`` the smallest power-of-two multiple of ``AUTO_BATCH_SIZE`` (at most
    ``MAX_AUTO_BATCH_SIZE``) whose pass takes at most ``LONG_PASS_STEPS`` steps.

    A batch never holds more than ``max(n_train, AUTO_BATCH_SIZE)`` rows: a larger one would
    only repeat the class's rows (an epoch holds 16 batches), so a huge ``batch_size`` costs
    what a batch of the whole class costs, in memory and time."""
    if batch_size != "auto":
        return min(int(batch_size), max(n_train, AUTO_BATCH_SIZE))
    batch = AUTO_BATCH_SIZE
    while math.ceil(n_train / batch) > LONG_PASS_STEPS and batch < MAX_AUTO_BATCH_SIZE:
        batch *= 2
    return batch


def epoch_layout(n_train: int, batch_size: int) -> tuple[int, int]:
    """Return ``(steps, per_call)``: the gradient steps of one epoch, and of one compiled call.

    An epoch is the smallest whole number of compiled calls (``per_call`` steps each, see
    :func:`steps_per_execution`) that covers one pass over the training rows. A small class
    thus gets several passes per epoch, which amortises Keras's fixed cost per epoch, and
    every call runs in full.
    """
    steps_per_pass = math.ceil(n_train / batch_size)
    per_call = steps_per_execution(steps_per_pass)
    return math.ceil(steps_per_pass / per_call) * per_call, per_call


def validation_batch(x_val: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """``VALIDATION_ROWS`` held-out rows and weights that count each distinct row once."""
    n_val = len(x_val)
    if n_val >= VALIDATION_ROWS:
        return x_val[rng.choice(n_val, VALIDATION_ROWS, replace=False)], np.ones(VALIDATION_ROWS)
    rows = np.resize(np.arange(n_val), VALIDATION_ROWS)
    return x_val[rows], 1.0 / np.bincount(rows)[rows]


def training_stream(
    x: np.ndarray,
    train_idx: np.ndarray,
    batch: int,
    steps: int,
    epochs: int,
    rng,
    max_values: int | None = None,
):
    """Rows ``train_idx`` of ``x`` laid out for ``epochs`` epochs of ``steps`` batches.

    Each pass over the training rows is a fresh permutation, and batches run across pass
    boundaries, so every batch is full, even for a class smaller than a batch. Keras then
    traces one training function per pooled model, which trains bit for bit as a new one would
    (a second batch shape retraces it into a shape-generic, slightly different graph). When
    all epochs would exceed ``max_values`` (default ``MAX_STREAM_VALUES``)
    values, the stream holds as many whole epochs as fit (at least one) and is read again.
    """
    n_train, n_features = len(train_idx), x.shape[1]
    rows_per_epoch = steps * batch
    max_values = MAX_STREAM_VALUES if max_values is None else max_values
    n_epochs = max(1, min(epochs, max_values // (rows_per_epoch * n_features)))
    n_rows = n_epochs * rows_per_epoch
    order = np.concatenate([rng.permutation(n_train) for _ in range(-(-n_rows // n_train))])
    return x[train_idx[order[:n_rows]]]


@dataclass
class ClassData:
    """One class's rows laid out for training: see :func:`prepare_class`."""

    stream: np.ndarray
    batch_size: int
    steps: int
    steps_per_execution: int
    x_val: np.ndarray | None
    val_weight: np.ndarray | None
    model_seed: int


def prepare_class(
    x: np.ndarray, config: TrainingConfig, seed: int, max_values: int | None = None
) -> ClassData:
    """Split, shuffle and lay out a class's rows (a stream of at most ``max_values`` values),
    all from ``numpy.random.RandomState(seed)``."""
    rng = np.random.RandomState(seed)
    train_idx, val_idx = split_rows(len(x), config, rng)
    batch = class_batch_size(len(train_idx), config.batch_size)
    steps, per_call = epoch_layout(len(train_idx), batch)
    stream = training_stream(x, train_idx, batch, steps, config.epochs, rng, max_values)
    model_seed = int(rng.randint(2**31 - 1))
    x_val = val_weight = None
    if len(val_idx):
        x_val, val_weight = validation_batch(x[val_idx], rng)
    return ClassData(stream, batch, steps, per_call, x_val, val_weight, model_seed)


def stack_key(n_rows: int, config: TrainingConfig) -> tuple[int, int, int]:
    """Rows per step, and gradient steps per epoch and per call, of a class of ``n_rows``
    rows; classes that share them can train in one :func:`train_stack`."""
    n_train = n_rows - held_out_rows(n_rows, config)
    batch = class_batch_size(n_train, config.batch_size)
    return (batch, *epoch_layout(n_train, batch))


def stacks(class_sizes: dict, config: TrainingConfig, missing: dict | None = None) -> list:
    """Group the classes (``{label: n_rows}``, in order) into the stacks that train together.

    Classes with the same :func:`stack_key` and the same missingness indicators (``missing``,
    ``{label: missing_columns}``; none for a class it leaves out) share stacks of at most
    ``MAX_STACK_MEMBERS``, in class order. The grouping depends on the classes' rows and the
    configuration only, never on ``n_jobs``, so the rows do not either.
    """
    missing = missing or {}
    groups: dict = {}
    for label, n_rows in class_sizes.items():
        key = (stack_key(n_rows, config), tuple(missing.get(label, ())))
        groups.setdefault(key, []).append(label)
    return [
        labels[start : start + MAX_STACK_MEMBERS]
        for labels in groups.values()
        for start in range(0, len(labels), MAX_STACK_MEMBERS)
    ]


def _fit_verbosity(config):
    return 2 if config.verbose >= 2 else 0


def train_images(xs: list, config: TrainingConfig, seeds: list, start=None) -> list:
    """Train one ``ImageVAE`` per class, one after another, on the pixel rows ``xs`` (scaled
    to [0, 1], float32), each from its own seed, or from the weights ``start`` (see
    ``_training.pretrain``) with its own seed's sampling noise.

    Returns plain Python and NumPy values, so that the result crosses process boundaries
    (joblib's processes, a Dask cluster) without serialising a Keras model: one
    ``(model_config, weights, history)`` per class, which :func:`build_vae` turns back into a
    model. ``weights`` are the best validation weights when early stopping ran; ``history``
    holds the per-epoch ``loss``, ``reconstruction_loss`` and ``kl_loss``, and their ``val_``
    versions when the class was large enough for a validation split.
    """
    import keras

    from .callbacks import HeldOutLoss
    from .pool import compiled_vae

    architecture = {
        "latent_dim": config.latent_dim,
        "beta": config.beta,
        "image_shape": config.image_shape,
    }
    results = []
    for x, seed in zip(xs, seeds, strict=True):
        data = prepare_class(x, config, seed)
        callbacks = [keras.callbacks.TerminateOnNaN()]
        if data.x_val is not None:
            callbacks = [
                *callbacks,
                HeldOutLoss(data.x_val, sample_weight=data.val_weight),
                keras.callbacks.EarlyStopping(
                    monitor="val_loss",
                    patience=config.n_iter_no_change,
                    restore_best_weights=True,
                ),
            ]
        with compiled_vae(
            architecture,
            batch_size=data.batch_size,
            steps_per_execution=data.steps_per_execution,
            seed=data.model_seed,
            learning_rate=config.learning_rate,
        ) as trainer:
            if start is not None:
                trainer.set_weights(start)
                trainer.reset_seed(data.model_seed)
            fitted = trainer.fit(
                data.stream,
                batch_size=data.batch_size,
                steps_per_epoch=data.steps,
                epochs=config.epochs,
                shuffle=False,
                callbacks=callbacks,
                verbose=_fit_verbosity(config),
            )
            weights = trainer.get_weights()
        history = {key: [float(v) for v in values] for key, values in fitted.history.items()}
        results.append(({**architecture, "seed": data.model_seed}, weights, history))
    return results


def train_stack(
    xs: list, config: TrainingConfig, seeds: list, missing_columns: tuple = (), start=None
) -> list:
    """Train one tabular VAE per class, all classes side by side in one ``StackedTabularVAE``.

    ``xs`` are the classes' scaled float32 rows (same width) and ``seeds`` their seeds; the
    classes must share :func:`stack_key` and their rows end with the missingness indicators
    of ``missing_columns`` (see ``TabularVAE``). Each class is split, shuffled, initialised and
    early-stopped exactly as it would be alone; only the arithmetic is shared. With ``start``
    (a ``TabularVAE``'s weights, see ``_training.pretrain``), every member starts from those
    weights instead of its seed's; the seeds still split the rows and draw the noise. Returns one
    ``(model_config, weights, history)`` per class, as :func:`train_images` does, for
    ``TabularVAE`` models.
    """
    from .pool import compiled_vae

    max_values = MAX_STREAM_VALUES // len(xs)
    classes = [
        prepare_class(x, config, seed, max_values) for x, seed in zip(xs, seeds, strict=True)
    ]
    layouts = {(data.batch_size, data.steps, data.steps_per_execution) for data in classes}
    if len(layouts) != 1:
        raise ValueError(
            "Classes of one stack need the same epoch layout (rows per step, steps per epoch, "
            f"steps per call), got {sorted(layouts)}."
        )
    n_features = xs[0].shape[1]
    shared = {
        "latent_dim": config.latent_dim,
        "beta": config.beta,
        "n_features": n_features,
        "hidden_layer_sizes": config.hidden_layer_sizes,
        "categorical_sizes": config.categorical_sizes,
        "missing_columns": tuple(missing_columns),
        "output_variance": "sigmoid",
    }
    if len(classes) == 1:
        stream = classes[0].stream[:, None]  # a view: a big class's rows are not copied
    else:
        stream = np.stack([data.stream for data in classes], axis=1)
    for data in classes:
        data.stream = None
    monitored = [k for k, data in enumerate(classes) if data.x_val is not None]
    x_val = val_weight = None
    if monitored:
        # A member without held-out rows is scored on another member's, which nothing reads.
        blank = classes[monitored[0]]
        x_val = np.stack(
            [(data if data.x_val is not None else blank).x_val for data in classes], axis=1
        )
        val_weight = np.stack(
            [(data if data.x_val is not None else blank).val_weight for data in classes], axis=1
        )
    batch, steps = classes[0].batch_size, classes[0].steps
    with compiled_vae(
        {**shared, "n_members": len(classes)},
        batch_size=batch,
        steps_per_execution=classes[0].steps_per_execution,
        seed=[data.model_seed for data in classes],
        learning_rate=config.learning_rate,
    ) as trainer:
        if start is not None:
            trainer.set_member_weights([start] * len(classes))
        if _one_call(len(stream), batch * steps * config.epochs, config):
            from .tf_loop import fit_epochs

            histories, weights = fit_epochs(
                trainer,
                stream,
                batch,
                steps,
                config.epochs,
                x_val,
                val_weight,
                monitored,
                config.n_iter_no_change,
            )
        else:
            histories, weights = _fit_stack(
                trainer, stream, batch, steps, config, x_val, val_weight, monitored
            )
    return [
        ({**shared, "seed": data.model_seed}, weights[k], histories[k])
        for k, data in enumerate(classes)
    ]


def _one_call(stream_rows: int, needed_rows: int, config: TrainingConfig) -> bool:
    """Whether a stack trains in one compiled call (``_tf_loop``) rather than ``Model.fit``:
    on TensorFlow, when its stream holds every epoch, and unless ``verbose >= 2`` asks for
    Keras's per-epoch progress lines."""
    import keras

    return (
        ONE_CALL_EPOCHS
        and keras.backend.backend() == "tensorflow"
        and stream_rows >= needed_rows
        and config.verbose < 2
    )


def _fit_stack(trainer, stream, batch, steps, config, x_val, val_weight, monitored):
    """Train a stack with ``Model.fit``; return ``(histories, weights)`` per member."""
    from .callbacks import HeldOutLoss, MemberEarlyStopping

    callbacks = [MemberEarlyStopping(config.n_iter_no_change, monitored)]
    if monitored:
        callbacks.insert(0, HeldOutLoss(x_val, sample_weight=val_weight))
    trainer.fit(
        stream,
        batch_size=batch,
        steps_per_epoch=steps,
        epochs=config.epochs,
        shuffle=False,
        callbacks=callbacks,
        verbose=_fit_verbosity(config),
    )
    stopping = callbacks[-1]
    return stopping.histories, stopping.weights


def build_vae(model_config: dict, weights):
    """A new VAE of ``model_config`` holding trained ``weights``."""
    from .pool import new_vae

    model = new_vae(model_config)
    model.set_weights(weights)
    return model


def divergence(history: dict, weights: list) -> str | None:
    """What went wrong in a class's training run (``history`` and kept ``weights``, as
    :func:`train_stack` returns them), or None when its losses and weights are all finite."""
    for name in ("loss", "val_loss"):
        values = history.get(name, [])
        bad = next((epoch for epoch, value in enumerate(values) if not math.isfinite(value)), None)
        if bad is not None:
            return f"{name} was {values[bad]} in epoch {bad + 1}"
    if not all(np.isfinite(w).all() for w in weights):
        return "its weights became non-finite"
    return None


def _train_jobs(
    classes: dict, config: TrainingConfig, seeds: dict, n_jobs, missing, starts
) -> dict:
    """Train every class of ``classes`` (``{label: scaled rows}``) in its stack, or alone for
    images; each stack or image class is one ``joblib`` job."""
    if config.image_shape is None:
        groups = stacks({label: len(x) for label, x in classes.items()}, config, missing)
        jobs = (
            delayed(train_stack)(
                [classes[label] for label in group],
                config,
                [seeds[label] for label in group],
                tuple(missing.get(group[0], ())),
                # Classes of one stack share their indicators, hence their start.
                starts.get(group[0]),
            )
            for group in groups
        )
    else:
        groups = [[label] for label in classes]
        jobs = (
            delayed(train_images)([classes[label]], config, [seeds[label]], starts.get(label))
            for label in classes
        )
    if isinstance(n_jobs, int) and n_jobs > len(groups):
        n_jobs = len(groups)  # no more workers than jobs, whatever the value asked for
    results = Parallel(n_jobs=n_jobs)(jobs)
    return {
        label: result
        for group, group_results in zip(groups, results, strict=True)
        for label, result in zip(group, group_results, strict=True)
    }


def train_classes(
    classes: dict,
    config: TrainingConfig,
    seeds: dict,
    n_jobs=None,
    missing: dict | None = None,
    starts: dict | None = None,
) -> dict:
    """Train the VAE of each class: ``{label: (model_config, weights, history)}``.

    ``classes`` maps each label to its scaled rows, ``seeds`` to its training seed,
    ``missing`` (optional) to the ``missing_columns`` of the indicators its rows end with, and
    ``starts`` (optional) to the weights it starts from (see ``_training.pretrain``). A class
    whose run diverged (see :func:`divergence`) is trained once more from the same fresh
    start at ``RETRY_LEARNING_RATE_FACTOR`` times the learning rate, with a warning; if that
    diverges too, :class:`~vae_oversampler.exceptions.TrainingDivergedError` names the class.
    The retries depend on the data and the parameters only, so results stay reproducible.
    """
    missing, starts = missing or {}, starts or {}
    results = _train_jobs(classes, config, seeds, n_jobs, missing, starts)
    failed = {}
    for label, (_, weights, history) in results.items():
        reason = divergence(history, weights)
        if reason is not None:
            failed[label] = reason
    if not failed:
        return results
    retry = replace(config, learning_rate=config.learning_rate * RETRY_LEARNING_RATE_FACTOR)
    retried = _train_jobs(
        {label: classes[label] for label in failed}, retry, seeds, n_jobs, missing, starts
    )
    for label, (_, weights, history) in retried.items():
        reason = divergence(history, weights)
        if reason is not None:
            raise TrainingDivergedError(
                f"Training the VAE of class {plain(label)!r} diverged with learning_rate="
                f"{config.learning_rate:g} ({failed[label]}), and again after a fresh start "
                f"with learning_rate={retry.learning_rate:g} ({reason}). Lower learning_rate (the "
                "default is 0.001), or rescale columns that hold extreme values."
            )
        warnings.warn(
            f"Training the VAE of class {plain(label)!r} diverged ({failed[label]}) with "
            f"learning_rate={config.learning_rate:g}; it was trained again from a fresh start "
            f"with learning_rate={retry.learning_rate:g}, which converged.",
            RuntimeWarning,
            stacklevel=2,
        )
    return {**results, **retried}
