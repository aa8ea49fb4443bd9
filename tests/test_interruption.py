"""A call that stops early, by an error or a KeyboardInterrupt, leaves the sampler as it was."""

import subprocess
import sys

import keras
import numpy as np
import pytest
from sklearn.datasets import make_classification

from vae_oversampler import VAEOverSampler
from vae_oversampler._training import callbacks as _callbacks

DATA = {"n_samples": 300, "n_features": 4, "weights": [0.8, 0.2], "random_state": 3}
FRESH_PROCESS = f"""
import sys
import numpy as np
from sklearn.datasets import make_classification
from vae_oversampler import VAEOverSampler
X, y = make_classification(**{DATA!r})
X_res, _ = VAEOverSampler(random_state=0).fit_resample(X, y)
np.save(sys.argv[1], X_res)
"""


def _interrupt_in_epoch(monkeypatch, n):
    """Make training raise KeyboardInterrupt at the end of epoch ``n``, as Ctrl-C would.

    ``Model.fit`` (the JAX and PyTorch backends) is stopped by a callback. On TensorFlow the
    epochs run in one compiled call (``_tf_loop``), where Ctrl-C takes effect when the call
    returns, so the interrupt comes right after it returns, before ``train_stack`` hands the
    weights back.
    """
    real = _callbacks.HeldOutLoss.on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        if epoch == n:
            raise KeyboardInterrupt
        real(self, epoch, logs)

    monkeypatch.setattr(_callbacks.HeldOutLoss, "on_epoch_end", on_epoch_end)
    if keras.backend.backend() == "tensorflow":
        from vae_oversampler._training import tf_loop as _tf_loop

        def fit_epochs(*args, **kwargs):
            real_fit(*args, **kwargs)
            raise KeyboardInterrupt

        real_fit = _tf_loop.fit_epochs
        monkeypatch.setattr(_tf_loop, "fit_epochs", fit_epochs)


def test_an_interrupted_call_leaves_an_unfitted_sampler_unfitted(monkeypatch):
    X, y = make_classification(**DATA)
    sampler = VAEOverSampler(random_state=0)
    before = dict(vars(sampler))
    _interrupt_in_epoch(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        sampler.fit_resample(X, y)
    assert vars(sampler) == before
    assert not [name for name in vars(sampler) if name.endswith("_") or name.startswith("_")]


def test_an_interrupted_call_keeps_the_previous_fit_and_the_next_is_a_fresh_one(
    monkeypatch, tmp_path
):
    X, y = make_classification(**DATA)
    sampler = VAEOverSampler(random_state=0)
    sampler.fit_resample(X[:200], y[:200])
    fitted = dict(vars(sampler))
    new_before = sampler.sample(5, 1, random_state=0)
    with monkeypatch.context() as patch:
        _interrupt_in_epoch(patch, 2)
        with pytest.raises(KeyboardInterrupt):
            sampler.fit_resample(X, y)
    assert vars(sampler).keys() == fitted.keys()
    assert all(vars(sampler)[name] is value for name, value in fitted.items())
    np.testing.assert_array_equal(sampler.sample(5, 1, random_state=0), new_before)
    # The model that was training when the interrupt came is not pooled again.
    X_res, _ = sampler.fit_resample(X, y)
    path = tmp_path / "fresh.npy"
    subprocess.run([sys.executable, "-c", FRESH_PROCESS, str(path)], check=True, timeout=300)
    assert X_res.tobytes() == np.load(path).tobytes()
