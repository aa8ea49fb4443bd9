"""A pool of built and compiled VAEs, reused across classes and ``fit_resample`` calls.

Building a Keras model and tracing its training function costs seconds, while training a small
class costs a fraction of one. A compiled model is therefore kept after training and handed to
the next class with the same architecture, after :meth:`TabularVAE.reinitialize` and an
optimizer reset put it back in exactly the state of a new model with the new seed. The traced
functions are kept, the numbers are not.
"""

import threading
from contextlib import contextmanager

# Idle compiled models kept per architecture (one per concurrent thread is enough).
MAX_IDLE_PER_KEY = 2

_idle: dict = {}
_lock = threading.Lock()


def new_vae(architecture: dict):
    """A new, built VAE for ``architecture``: an ``ImageVAE`` when it names an
    ``image_shape``, a ``StackedTabularVAE`` when it names ``n_members``, a ``TabularVAE``
    otherwise."""
    if "image_shape" in architecture:
        from .._models.image import ImageVAE as model_class
    elif "n_members" in architecture:
        from .._models.stacked import StackedTabularVAE as model_class
    else:
        from .._models.tabular import TabularVAE as model_class
    model = model_class(**architecture)
    model.build((None, model.n_features))
    return model


def _new_compiled_model(architecture, steps_per_execution):
    import keras

    model = new_vae(architecture)
    # Keras's PyTorch backend runs one batch per call only.
    per_call = 1 if keras.backend.backend() == "torch" else steps_per_execution
    model.compile(optimizer=keras.optimizers.Adam(), steps_per_execution=per_call)
    model.optimizer.build(model.trainable_variables)
    start = [keras.ops.convert_to_numpy(v) for v in model.optimizer.variables]
    return model, start


def _hashable(value):
    return tuple(value) if isinstance(value, list | tuple) else value


@contextmanager
def compiled_vae(
    architecture: dict,
    batch_size: int,
    seed,
    learning_rate: float,
    steps_per_execution: int,
):
    """Lend a compiled VAE of ``architecture`` in the state of a new one built with ``seed``
    (a list of seeds, one per member, for a ``StackedTabularVAE``), that runs
    ``steps_per_execution`` steps per compiled call.

    Models are pooled per architecture, batch size and steps per call: a model that only ever
    sees one batch shape keeps its first traced function, which gives the same numbers as a
    new model's.
    """
    architecture_key = tuple(sorted((k, _hashable(v)) for k, v in architecture.items()))
    key = (architecture_key, batch_size, steps_per_execution)
    with _lock:
        entry = _idle[key].pop() if _idle.get(key) else None
    if entry is None:
        entry = _new_compiled_model(architecture, steps_per_execution)
    model, optimizer_start = entry
    model.reinitialize(seed)
    for variable, value in zip(model.optimizer.variables, optimizer_start, strict=True):
        variable.assign(value)
    model.optimizer.learning_rate = learning_rate
    # A model whose use ended in an exception (a KeyboardInterrupt in the middle of fit, say)
    # may hold any state, so it is dropped, and the next class builds a new one.
    yield model
    with _lock:
        idle = _idle.setdefault(key, [])
        if len(idle) < MAX_IDLE_PER_KEY:
            idle.append(entry)


def clear():
    """Drop every pooled model (they are rebuilt on demand)."""
    with _lock:
        _idle.clear()
