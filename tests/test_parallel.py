"""n_jobs and joblib backends give the same rows as the serial run."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import make_classification

from vae_oversampler import VAEOverSampler


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=240,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        weights=[0.6, 0.25, 0.15],
        random_state=0,
    )


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
