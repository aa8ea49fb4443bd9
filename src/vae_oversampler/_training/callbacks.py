"""Keras callbacks used while training a class's VAE. Importing this module imports Keras."""

import keras
import numpy as np


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
        # test_on_batch starts from reset metrics (tests/test_training.py checks that Keras
        # still does), and the epoch's training logs are already read.
        results = self.model.test_on_batch(
            self.x_val, sample_weight=self.sample_weight, return_dict=True
        )
        if logs is not None:
            logs.update({f"val_{name}": _plain(value) for name, value in results.items()})


class MemberEarlyStopping(keras.callbacks.Callback):
    """Early stopping and history for each member of a ``StackedTabularVAE``.

    Member ``k`` follows ``keras.callbacks.EarlyStopping(monitor="val_loss",
    patience=patience, restore_best_weights=True)`` on its own validation loss, exactly: it
    stops once ``patience`` epochs have passed without improving on its best epoch, and keeps
    that epoch's weights. A stopped member's later epochs are ignored (its rows keep flowing
    through the shared steps, which costs nearly nothing); training ends when every member has
    stopped. Members not in ``monitored`` (too small for a validation split) do not stop
    early, so a stack holding one trains every epoch, and they keep their last weights. Any
    member whose training or validation loss is not finite stops at that epoch, which its
    history records, for ``_training.divergence`` to find. Put it after ``HeldOutLoss``.

    After training, ``histories[k]`` holds member ``k``'s per-epoch ``loss``,
    ``reconstruction_loss`` and ``kl_loss`` (and their ``val_`` versions when monitored), up to
    the epoch it stopped, and ``weights[k]`` its kept weights.
    """

    def __init__(self, patience, monitored):
        super().__init__()
        self.patience = patience
        self.monitored = set(monitored)

    def on_train_begin(self, logs=None):
        n = self.model.n_members
        self.histories = [{} for _ in range(n)]
        self.best = [None] * n
        self.wait = [0] * n
        self.stopped = [False] * n
        self.weights = [None] * n

    def on_epoch_end(self, epoch, logs=None):
        beta = self.model.beta
        prefixes = ("", "val_") if self.monitored else ("",)
        per_member = {}
        for prefix in prefixes:
            reconstruction = np.asarray(logs[f"{prefix}reconstruction_loss"], dtype=float)
            kl = np.asarray(logs[f"{prefix}kl_loss"], dtype=float)
            per_member[f"{prefix}loss"] = reconstruction + beta * kl
            per_member[f"{prefix}reconstruction_loss"] = reconstruction
            per_member[f"{prefix}kl_loss"] = kl
        improved = []
        for k, history in enumerate(self.histories):
            if self.stopped[k]:
                continue
            for name, values in per_member.items():
                if k in self.monitored or not name.startswith("val_"):
                    history.setdefault(name, []).append(float(values[k]))
            losses = [per_member[name][k] for name in ("loss", "val_loss") if name in history]
            if not np.isfinite(losses).all():
                self.stopped[k] = True
                continue
            if k not in self.monitored:
                continue
            current = per_member["val_loss"][k]
            self.wait[k] += 1
            if self.best[k] is None or current < self.best[k]:
                self.best[k], self.wait[k] = current, 0
                improved.append(k)
            elif self.wait[k] >= self.patience and epoch > 0:
                self.stopped[k] = True
        if improved:
            for k, weights in zip(improved, self.model.member_weights(improved), strict=True):
                self.weights[k] = weights
        if all(self.stopped):
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        unset = [k for k, weights in enumerate(self.weights) if weights is None]
        for k, weights in zip(unset, self.model.member_weights(unset), strict=True):
            self.weights[k] = weights


def _plain(value):
    """A metric's value as a float, or a float array for one value per member."""
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value
