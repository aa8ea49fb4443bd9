"""
Training the VAEs on a Dask cluster
===================================

``fit_resample`` trains one VAE per class to grow, and it hands those trainings to joblib as
separate jobs. Inside ``joblib.parallel_config(backend="dask")`` the jobs run on a Dask
cluster instead of the local machine, with no other change to the code, and the rows that
come back are the same, bit for bit. This example runs the same resampling locally and on a
``LocalCluster`` of two worker processes, and checks that.

A ``LocalCluster`` stands in for a real cluster here; with one, pass its address to
``Client`` instead.
"""

# %%
# Three minority classes of different sizes
# -----------------------------------------
# A four-class problem: 3,535 rows in the majority class, and three minority classes of
# about 2,400, 1,300 and 160 rows, which ``sampling_strategy="auto"`` grows to the
# majority's size.
#
# Jobs, not classes, are the unit of parallel work. Tabular classes whose epochs have the
# same number of gradient steps train side by side in one Keras model (see ``n_jobs`` in the
# API reference), and each such stack is one job. An epoch covers one pass over the class's
# training rows in a multiple of 16 batches of 64, so these three classes get 48, 32 and 16
# steps per epoch: three stacks of one class, so three jobs.
#
# Dask starts its worker processes the way ``multiprocessing`` does: each one imports this
# script again, under another name. So everything here that does work sits under
# ``if __name__ == "__main__":``, and a worker only runs the imports and the definitions.
# (sphinx-gallery, which builds this page, also runs the script as ``__main__``.)
import logging
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import joblib
import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster
from sklearn.datasets import make_classification

from vae_oversampler import VAEOverSampler

# Dask logs the start and stop of every worker; only warnings and errors are wanted here.
logging.getLogger("distributed").setLevel(logging.WARNING)


def make_data():
    return make_classification(
        n_samples=7400,
        n_features=8,
        n_informative=5,
        n_classes=4,
        weights=[0.48, 0.32, 0.18, 0.02],
        random_state=0,
    )


def resample(X, y, n_jobs=None):
    """Resample with the default sampler; return the rows and the seconds it took."""
    start = time.perf_counter()
    X_res, y_res = VAEOverSampler(random_state=0, n_jobs=n_jobs).fit_resample(X, y)
    return X_res, y_res, time.perf_counter() - start


if __name__ == "__main__":
    X, y = make_data()
    print("class counts:", np.bincount(y).tolist())

# %%
# Locally, one job after the other
# --------------------------------
# ``n_jobs=None`` (the default) runs the three jobs one after the other in this process.
# If this is the first training in the process, the time includes TensorFlow's start-up.
if __name__ == "__main__":
    X_local, y_local, local_seconds = resample(X, y)
    print("class counts after:", np.bincount(y_local).tolist())
    print(f"local run: {local_seconds:.1f} s")

# %%
# On the cluster
# --------------
# Two worker processes of one thread each (``dashboard_address=None`` starts no web
# dashboard). ``n_jobs=3`` asks for the three jobs to be submitted at once; the cluster runs
# two at a time, on its two workers. The ``with`` block shuts the client and the workers
# down when it ends. The resampling time includes each new worker's own TensorFlow
# start-up; the second time printed adds starting and stopping the cluster.
if __name__ == "__main__":
    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
        joblib.parallel_config(backend="dask"),
    ):
        print("workers:", len(client.scheduler_info()["workers"]))
        X_dask, y_dask, dask_seconds = resample(X, y, n_jobs=3)
    cluster_seconds = time.perf_counter() - start
    print(f"resampling on the cluster: {dask_seconds:.1f} s")
    print(f"with starting and stopping the cluster: {cluster_seconds:.1f} s")

# %%
# The same rows, bit for bit
# --------------------------
# Every class draws its training seed and its generation seed from ``random_state`` before
# any job starts, and the stacks depend on the class sizes only, so where and in which order
# the jobs run changes nothing.
if __name__ == "__main__":
    print("same rows as the local run:", np.array_equal(X_dask, X_local))
    print("same labels:", np.array_equal(y_dask, y_local))
    print("same bytes:", X_dask.tobytes() == X_local.tobytes())

# %%
# Class counts and times
# ----------------------
# On the left, the class counts before and after resampling (the same for both runs). On
# the right, the seconds each run took. This machine has only a few cores, and the local
# run already uses them all (TensorFlow spreads one training over every core), so two
# workers on the same cores cannot be much faster, and the cluster pays for its own start.
# A cluster pays off when its workers are other machines, or when the classes are many
# and large.
if __name__ == "__main__":
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, 3.8), layout="constrained", width_ratios=[3, 2]
    )
    labels = np.arange(4)
    left.bar(labels - 0.2, np.bincount(y), 0.4, label="before")
    left.bar(labels + 0.2, np.bincount(y_dask), 0.4, label="after (local = cluster)")
    left.set_xticks(labels, [f"class {label}" for label in labels])
    left.set(ylabel="rows", ylim=(0, 4500), title="Class counts")
    left.legend(loc="upper center", ncols=2)
    names = ["local\n(n_jobs=None)", "cluster:\nresampling", "cluster: with\nstart and stop"]
    seconds = [local_seconds, dask_seconds, cluster_seconds]
    right.bar(names, seconds, color=["tab:blue", "tab:orange", "tab:orange"])
    for position, value in enumerate(seconds):
        right.text(position, value, f"{value:.1f} s", ha="center", va="bottom")
    right.set(ylabel="seconds", ylim=(0, 1.2 * max(seconds)), title="Wall time")
    fig.suptitle("VAEOverSampler locally and on a Dask LocalCluster of 2 workers")
