"""The sampler trains on Keras backends other than TensorFlow.

Each backend runs in a fresh interpreter, since Keras fixes its backend at import. A backend
that is not installed is skipped; TensorFlow, the installed default, is covered by every other
test.
"""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification

CODE = """
import json
import numpy as np
import keras
from sklearn.datasets import make_classification
from vae_oversampler import VAEOverSampler

X, y = make_classification(n_samples=300, n_features=5, weights=[0.85], random_state=0)
samplers = [VAEOverSampler(epochs=10, random_state=0) for _ in range(2)]
runs = [sampler.fit_resample(X, y) for sampler in samplers]
X_res, y_res = runs[0]
new, real = X_res[len(X):], X[y == 1]
# The baseline, in the same process: the same VAE with a learning rate too small to move it.
frozen = VAEOverSampler(epochs=10, learning_rate=1e-12, random_state=0)
frozen.fit_resample(X, y)


def r2(sampler):
    # The decoder's means at the rows' encodings against the standardised rows.
    scaled = sampler.scalers_[1].transform(real)
    z_mean = sampler.encodings_[1][0]
    means = keras.ops.convert_to_numpy(sampler.vaes_[1].decode(z_mean))[:, : real.shape[1]]
    return float(1 - np.mean((means - scaled) ** 2) / np.mean(scaled.var(0)))


def drop(sampler):
    loss = sampler.history_[1]["reconstruction_loss"]
    return (loss[0] - min(loss)) / abs(loss[0])


print(json.dumps({
    "backend": keras.backend.backend(),
    "counts": np.bincount(y_res).tolist(),
    "originals_kept": bool(np.array_equal(X_res[: len(X)], X)),
    "reproducible": runs[0][0].tobytes() == runs[1][0].tobytes(),
    "finite": bool(np.isfinite(X_res).all()),
    "new_in_range": bool(((new >= real.min(0)) & (new <= real.max(0))).all()),
    "loss_drop": drop(samplers[0]),
    "frozen_loss_drop": drop(frozen),
    "r2": r2(samplers[0]),
    "frozen_r2": r2(frozen),
    "mean_gap": float(np.max(np.abs(new.mean(0) - real.mean(0)) / real.std(0))),
}))
"""


@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_backend_trains_and_resamples(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    env = {**os.environ, "KERAS_BACKEND": backend, "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(
        [sys.executable, "-c", CODE], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    _, y = make_classification(n_samples=300, n_features=5, weights=[0.85], random_state=0)
    n_majority = int(np.sum(y == 0))
    assert result["backend"] == backend
    assert result["counts"] == [n_majority, n_majority]
    assert result["originals_kept"] and result["reproducible"]
    assert result["finite"] and result["new_in_range"]
    # It trained, against the same VAE whose learning rate is too small to move it: its
    # reconstruction loss fell where the frozen one's stays put, its decoder explains more of
    # the class's standardised rows from their encodings, and the new rows sit around the
    # class (each column's mean within half a standard deviation of the class's).
    assert result["loss_drop"] > 0.05 > abs(result["frozen_loss_drop"]), result
    assert result["r2"] > result["frozen_r2"] + 0.05, result
    assert result["mean_gap"] < 0.5, result
