"""Keras callbacks used while training a class's VAE. Importing this module imports Keras."""

import keras


class HeldOutLoss(keras.callbacks.Callback):
    """Add the ``val_`` losses of a held-out batch to each epoch's logs.

    Keras's own ``validation_data`` builds a data iterator and runs ``evaluate`` every epoch,
    which costs several times a small class's training epoch. The held-out rows of a class fit
    in one batch, so one compiled ``test_on_batch`` call gives the same numbers. Put it first
    in the callback list so that ``EarlyStopping`` and ``History`` see its values.

    ``sample_weight`` lets a fixed-size batch of repeated rows (see ``validation_batch``)
    weigh each held-out row once.
    """

    def __init__(self, x_val, sample_weight=None):
        super().__init__()
        self.x_val = x_val
        self.sample_weight = sample_weight

    def on_epoch_end(self, epoch, logs=None):
        # The epoch's training logs are already read, so the trackers are free to reuse.
        self.model.reset_metrics()
        results = self.model.test_on_batch(
            self.x_val, sample_weight=self.sample_weight, return_dict=True
        )
        if logs is not None:
            logs.update({f"val_{name}": float(value) for name, value in results.items()})
