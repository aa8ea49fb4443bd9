"""All epochs of a ``StackedTabularVAE`` in one compiled TensorFlow call.

A small class's epoch is a few milliseconds of arithmetic, and ``Model.fit`` adds about as
much again per epoch in Python: resetting and reading metrics, callbacks, the data iterator,
a ``test_on_batch`` call for the held-out loss and copying weights out for early stopping.
On TensorFlow, :func:`fit_epochs` runs the same epochs inside one ``tf.function``: Keras's own
``train_step`` on each batch, ``test_step`` on the held-out batch, and the per-member early
stopping of ``_callbacks.MemberEarlyStopping`` as tensor arithmetic, with the best weights
kept in variables. It is the same sequence of operations as the ``fit`` path, so it trains the
same weights bit for bit (``tests/test_tf_loop.py``), and it returns what
``MemberEarlyStopping`` holds after ``fit``. One thing differs: a member that has stopped skips
its arithmetic for the rest of the run (``StackedTabularVAE.skip_stopped``), so that a stack
costs the epochs its members train, not its slowest member's epochs times its size.

Importing this module imports TensorFlow; the other backends train through ``Model.fit``.
"""

import threading
import weakref

import numpy as np
import tensorflow as tf

# Per model, its compiled loops (each with the variables that hold its best weights). The loops
# reach their model through a weak reference only, so that a model dropped from the pool is
# freed with its loops.
_loops: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _reset_metrics(model):
    for variable in model.metrics_variables:
        variable.assign(tf.zeros(variable.shape, variable.dtype))


def _member_mask(mask, value):
    """``mask`` (one bool per member) shaped to broadcast over ``value``'s member axis."""
    return tf.reshape(mask, [-1] + [1] * (len(value.shape) - 1))


def _losses(model):
    """The epoch's per-member reconstruction and KL means so far, as float64."""
    reconstruction = tf.cast(model.reconstruction_tracker.result(), tf.float64)
    kl = tf.cast(model.kl_tracker.result(), tf.float64)
    return reconstruction, kl


def _build_loop(model, batch_size: int, with_validation: bool):
    """The compiled loop of ``model`` that :func:`fit_epochs` calls."""
    n_members, n_features = model.n_members, model.n_features
    best_weights = [
        tf.Variable(tf.zeros(v.shape, v.dtype), trainable=False, name=f"best_{i}")
        for i, v in enumerate(model.member_variables())
    ]
    beta = tf.constant(model.beta, tf.float64)
    running = model.active_members
    if running is None:
        running = tf.Variable(tf.ones([n_members], tf.bool), trainable=False)
    model_ref = weakref.ref(model)

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, n_members, n_features], tf.float32),
            tf.TensorSpec([None, n_members, n_features], tf.float32),
            tf.TensorSpec([None, n_members], tf.float64),
            tf.TensorSpec([n_members], tf.bool),
            tf.TensorSpec([], tf.int32),
            tf.TensorSpec([], tf.int32),
            tf.TensorSpec([], tf.int32),
        ],
        autograph=False,
    )
    def loop(stream, x_val, val_weight, monitored, epochs, steps, patience):
        model = model_ref()  # read while tracing only
        variables = model.member_variables()
        # Batches of a static shape, as Keras's data iterator gives them: with an unknown
        # batch dimension TensorFlow picks other kernels, which round differently.
        batches = tf.reshape(stream, [-1, batch_size, n_members, n_features])

        def epoch_body(epoch, best, wait, stopped, has_best, recorded, logs):
            running.assign(~stopped)
            _reset_metrics(model)

            def step_body(step):
                model.train_step((batches[epoch * steps + step],))
                return (step + 1,)

            tf.while_loop(lambda step: step < steps, step_body, (tf.constant(0),))
            reconstruction, kl = _losses(model)
            loss = reconstruction + beta * kl
            finite = tf.math.is_finite(loss)
            row = [reconstruction, kl]
            if with_validation:
                _reset_metrics(model)
                model.test_step((x_val, None, val_weight))
                val_reconstruction, val_kl = _losses(model)
                val_loss = val_reconstruction + beta * val_kl
                finite &= tf.math.is_finite(val_loss) | ~monitored
                row += [val_reconstruction, val_kl]
            active = ~stopped
            recorded = tf.where(active, epoch + 1, recorded)
            logs = logs.write(epoch, tf.stack(row))
            stopped |= active & ~finite
            if with_validation:
                watched = active & finite & monitored
                wait = tf.where(watched, wait + 1, wait)
                improved = watched & (~has_best | (val_loss < best))
                best = tf.where(improved, val_loss, best)
                wait = tf.where(improved, 0, wait)
                has_best |= improved
                stopped |= watched & ~improved & (wait >= patience) & (epoch > 0)
                for variable, kept in zip(variables, best_weights, strict=True):
                    kept.assign(tf.where(_member_mask(improved, kept), variable, kept))
            return epoch + 1, best, wait, stopped, has_best, recorded, logs

        n_logs = 4 if with_validation else 2
        start = (
            tf.constant(0),
            tf.zeros([n_members], tf.float64),
            tf.zeros([n_members], tf.int32),
            tf.zeros([n_members], tf.bool),
            tf.zeros([n_members], tf.bool),
            tf.zeros([n_members], tf.int32),
            tf.TensorArray(tf.float64, size=epochs, element_shape=[n_logs, n_members]),
        )
        _, _, _, _, has_best, recorded, logs = tf.while_loop(
            lambda epoch, _best, _wait, stopped, *_: (epoch < epochs) & ~tf.reduce_all(stopped),
            epoch_body,
            start,
        )
        kept = [
            tf.where(_member_mask(has_best, variable), best, variable)
            for variable, best in zip(variables, best_weights, strict=True)
        ]
        # Every member runs again in the model's next use (Model.fit's included).
        with tf.control_dependencies(kept):
            running.assign(tf.ones([n_members], tf.bool))
        return recorded, logs.stack(), kept

    return loop


def fit_epochs(
    model,
    stream: np.ndarray,
    batch_size: int,
    steps: int,
    epochs: int,
    x_val: np.ndarray | None,
    val_weight: np.ndarray | None,
    monitored: list,
    patience: int,
) -> tuple[list, list]:
    """Train ``model`` for up to ``epochs`` epochs of ``steps`` batches of ``stream``, in order,
    with ``MemberEarlyStopping(patience, monitored)`` on the held-out batch ``x_val``.

    ``stream`` must hold every epoch's rows. Returns ``(histories, weights)``: member ``k``'s
    per-epoch losses and its kept weights, as ``MemberEarlyStopping`` holds them after fit.
    """
    with_validation = bool(monitored)
    key = (batch_size, with_validation)
    with _lock:
        loops = _loops.setdefault(model, {})
        # A member alone ends the loop when it stops: nothing to skip, and no extra ops.
        if model.n_members > 1 and model.active_members is None:
            model.skip_stopped(tf.Variable(tf.ones([model.n_members], tf.bool), trainable=False))
        if key not in loops:
            loops[key] = _build_loop(model, batch_size, with_validation)
        loop = loops[key]
    n_members = model.n_members
    if not with_validation:
        x_val = np.zeros((1, n_members, model.n_features), np.float32)
        val_weight = np.ones((1, n_members))
    mask = np.isin(np.arange(n_members), monitored)
    recorded, logs, kept = loop(
        stream, x_val, val_weight, mask, np.int32(epochs), np.int32(steps), np.int32(patience)
    )
    recorded, logs = recorded.numpy(), logs.numpy()
    kept = [value.numpy() for value in kept]
    names = ["reconstruction_loss", "kl_loss"]
    histories, weights = [], []
    for k in range(n_members):
        history = {}
        for prefix, offset in (("", 0), ("val_", 2)):
            if prefix and k not in monitored:
                continue
            reconstruction = logs[: recorded[k], offset, k]
            kl = logs[: recorded[k], offset + 1, k]
            history[f"{prefix}loss"] = [float(v) for v in reconstruction + model.beta * kl]
            for name, values in zip(names, (reconstruction, kl), strict=True):
                history[f"{prefix}{name}"] = [float(v) for v in values]
        histories.append(history)
        weights.append([value[k].copy() for value in kept])
    return histories, weights
