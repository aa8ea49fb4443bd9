"""Memory stays flat over many calls: models carry fixed names, since TensorFlow keeps memory
for every distinct variable name it has seen (0.6 MiB per model with Keras's unique names)."""

import gc
import sys

import pytest

from vae_oversampler._training.pool import new_vae

TABLE = {"n_features": 5, "latent_dim": 2, "hidden_layer_sizes": (16,), "beta": 1.0, "seed": 0}
ARCHITECTURES = {
    "table": TABLE,
    "stack": {**{k: v for k, v in TABLE.items() if k != "seed"}, "n_members": 2},
    "image": {"latent_dim": 2, "beta": 1.0, "image_shape": (8, 8, 1), "seed": 0},
}


def _variable_paths(model):
    return sorted(variable.path for variable in model.variables)


@pytest.mark.parametrize("kind", sorted(ARCHITECTURES))
def test_every_new_model_has_the_same_variable_names(kind):
    first, second = (new_vae(ARCHITECTURES[kind]) for _ in range(2))
    assert _variable_paths(first) == _variable_paths(second)


def _rss_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_building_many_models_does_not_grow_memory():
    # With Keras's unique model names these 150 models grew resident memory by about 90 MiB.
    for _ in range(10):
        new_vae(TABLE)
    gc.collect()
    before = _rss_mib()
    for _ in range(150):
        new_vae(TABLE)
    gc.collect()
    assert _rss_mib() - before < 30
