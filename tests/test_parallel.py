"""n_jobs and joblib backends give the same rows as the serial run."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import make_classification

from vae_oversampler import VAEOverSampler
from vae_oversampler._training.train import stacks, training_config


@pytest.fixture(scope="module")
def data():
    # Two minority classes of different epoch lengths (about 1,200 and 150 rows), so that
    # they train in two stacks, which n_jobs runs as two jobs.
    return make_classification(
        n_samples=3000,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        weights=[0.55, 0.4, 0.05],
        random_state=0,
    )


def test_data_makes_two_jobs(data):
    sampler = VAEOverSampler(epochs=3)
    config = training_config(sampler.get_params(), 4, None, ())
    sizes = dict(zip(*np.unique(data[1], return_counts=True), strict=True))
    del sizes[max(sizes, key=sizes.get)]
    assert len(stacks(sizes, config)) == 2


@pytest.fixture(scope="module")
def serial(data):
    return VAEOverSampler(epochs=3, random_state=0).fit_resample(*data)[0]


def test_processes_match_serial(data, serial):
    parallel = VAEOverSampler(epochs=3, random_state=0, n_jobs=2).fit_resample(*data)[0]
    assert parallel.tobytes() == serial.tobytes()


def test_threads_match_serial(data, serial):
    with parallel_config(backend="threading"):
        threaded = VAEOverSampler(epochs=3, random_state=0, n_jobs=2).fit_resample(*data)[0]
    assert threaded.tobytes() == serial.tobytes()


def test_dask_cluster_matches_serial(data, serial):
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        distributed.Client(cluster),
        parallel_config(backend="dask"),
    ):
        on_dask = VAEOverSampler(epochs=3, random_state=0, n_jobs=2).fit_resample(*data)[0]
    np.testing.assert_array_equal(on_dask, serial)
