"""The README's first command: the demo prints its table and no TensorFlow start-up noise,
and the library leaves the process's environment alone."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Keras and its backends may set variables of their own when imported (JAX's __init__ sets
# TF_CPP_MIN_LOG_LEVEL); the sampler itself sets none.
LIBRARY_ONLY = """
import os
import keras
from sklearn.datasets import make_classification
from vae_oversampler import VAEOverSampler
before = dict(os.environ)
X, y = make_classification(n_samples=200, weights=[0.85], random_state=0)
VAEOverSampler(epochs=1, random_state=0).fit_resample(X, y)
print(dict(os.environ) == before)
"""


def _documented_output() -> list:
    """The demo's output as docs/user_guide/install.rst shows it."""
    text = (Path(__file__).resolve().parents[1] / "docs/user_guide/install.rst").read_text()
    block = text.split(".. code-block:: text\n\n", 1)[1]
    return [line[3:] for line in block.split("\n\n")[0].splitlines()]


def _clean_env():
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL",)}
    env.pop("KERAS_BACKEND", None)
    return env


@pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow",
    reason="the demo's quieting concerns TensorFlow",
)
def test_demo_prints_its_table_without_tensorflow_start_up_noise():
    done = subprocess.run(
        [sys.executable, "-m", "vae_oversampler.demo"],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The count lines depend on scikit-learn and imbalanced-learn only: exactly those that the
    # install guide shows. The score rows depend on the machine (see the guide).
    lines = done.stdout.splitlines()
    assert lines[:3] == _documented_output()[:3]
    assert lines[4].startswith("held-out scores (820 rows, rare digit 8)")
    assert [line.split()[0] for line in lines[6:9]] == ["no", "SMOTE", "VAEOverSampler"]
    for noise in ("cuInit", "cuda", "absl", "oneDNN"):
        assert noise not in done.stderr, done.stderr


def test_the_library_leaves_the_environment_alone():
    done = subprocess.run(
        [sys.executable, "-c", LIBRARY_ONLY],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "True"
