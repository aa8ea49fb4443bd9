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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_memory_stays_flat_over_a_grid_search_of_fit_resample_calls():
    """fit_resample itself, over the parameter combinations a grid search tries (each its own
    pooled model): after one pass over the grid, more passes add models to no pool and
    memory to no process."""
    import numpy as np
    from sklearn.datasets import make_classification

    from vae_oversampler import VAEOverSampler
    from vae_oversampler._training import pool

    X, y = make_classification(n_samples=240, n_features=5, weights=[0.85], random_state=0)
    grid = [
        {"hidden_layer_sizes": hidden, "latent_dim": latent, "batch_size": batch}
        for hidden in ((16,), (32, 16))
        for latent in (2, 3)
        for batch in (32, 64)
    ]

    def one_pass(seed):
        for params in grid:
            VAEOverSampler(epochs=3, random_state=seed, **params).fit_resample(X, y)
        gc.collect()

    pool.clear()  # only this test's models in the pool (earlier tests pool their own)
    one_pass(0)
    one_pass(1)
    models = sum(len(idle) for idle in pool._idle.values())
    before = _rss_mib()
    for seed in range(2, 6):
        one_pass(seed)
    # Every combination has its pooled model already: no pool grows.
    assert sum(len(idle) for idle in pool._idle.values()) == models <= len(grid)
    # 32 more calls; a leak of one model per call (as with unique variable names, 0.6 MiB)
    # would add about 20 MiB, and a kept model per call far more.
    assert _rss_mib() - before < 12, np.round(_rss_mib() - before, 1)
