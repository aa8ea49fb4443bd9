"""Epoch time of a big class at 16 steps per compiled call against this version's layout.

    python benchmarks/steps_per_call.py [--rows 100000] [--epochs 4] [--rounds 4]

One class of ``--rows`` x 30 float32 rows beside a majority one row larger, early stopping
off. The two layouts alternate in one process, ``--rounds`` fits of ``--epochs`` epochs each:
session 5's 16 steps per call (``_training.LONG_PASS_STEPS`` set out of reach) and the
current one (up to ``MAX_STEPS_PER_EXECUTION`` per call for long passes). Each epoch is timed
by a Keras callback; the first epoch of each fit, which starts the data iterator, is left out.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras

from speed import one_class
from vae_oversampler import VAEOverSampler, _training


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)

    times = []

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    fit = keras.Model.fit

    def timed_fit(self, *fit_args, callbacks=(), **kwargs):
        return fit(self, *fit_args, callbacks=[*callbacks, EpochTimer()], **kwargs)

    keras.Model.fit = timed_fit
    X, y = one_class(args.rows)
    layouts = {
        "16 per call (session 5)": 10**12,
        f"up to {_training.MAX_STEPS_PER_EXECUTION} per call (now)": _training.LONG_PASS_STEPS,
    }

    def resample(epochs):
        VAEOverSampler(epochs=epochs, early_stopping=False, random_state=0).fit_resample(X, y)

    for threshold in layouts.values():  # warm: one compiled model per layout
        _training.LONG_PASS_STEPS = threshold
        resample(1)
    results = {name: [] for name in layouts}
    for _ in range(args.rounds):
        for name, threshold in layouts.items():
            _training.LONG_PASS_STEPS = threshold
            times.clear()
            resample(args.epochs)
            results[name].extend(times[1:])
    for name, values in results.items():
        print(
            f"{args.rows:,} rows, {name}: median {statistics.median(values):.3f} s per epoch, "
            f"min {min(values):.3f}, n={len(values)}"
        )


if __name__ == "__main__":
    main()
