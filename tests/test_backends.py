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
runs = [VAEOverSampler(epochs=3, random_state=0).fit_resample(X, y) for _ in range(2)]
X_res, y_res = runs[0]
print(json.dumps({
    "backend": keras.backend.backend(),
    "counts": np.bincount(y_res).tolist(),
    "originals_kept": bool(np.array_equal(X_res[: len(X)], X)),
    "reproducible": runs[0][0].tobytes() == runs[1][0].tobytes(),
    "finite": bool(np.isfinite(X_res).all()),
    "new_in_range": bool(((X_res[len(X):] >= X[y == 1].min(0))
                          & (X_res[len(X):] <= X[y == 1].max(0))).all()),
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
