"""Epoch time of one big class on the GPU against the CPU of the same machine, in one run.

    python benchmarks/gpu_epoch.py [--rows 1000000] [--backends jax torch] [--timeout 150]

Each (Keras backend, device) pair runs in a fresh process: ``KERAS_BACKEND`` picks the backend
and ``CUDA_VISIBLE_DEVICES=""`` hides the GPU for the CPU runs, so the sampler's code is the same
in every run. One epoch is the time of an ``--epochs``-epoch ``fit_resample`` minus a 1-epoch one,
over ``--epochs`` - 1, on a class of ``--rows`` x 30 float32 rows (early stopping off), after
a small warm-up fit that builds and traces the model. Prints a markdown table; TensorFlow
is timed the same way when it is installed with GPU support.
"""

import argparse
import json
import os
import subprocess
import sys

CHILD = r"""
import json, os, sys, time
import numpy as np
sys.path[:0] = [{src!r}, {bench!r}]
import keras
from speed import one_class
from vae_oversampler import VAEOverSampler

def fit(X, y, epochs):
    start = time.perf_counter()
    VAEOverSampler(epochs=epochs, early_stopping=False, batch_size={batch}, random_state=0
                   ).fit_resample(X, y)
    return time.perf_counter() - start

fit(*one_class(2_000), 1)
X, y = one_class({rows})
one, more = fit(X, y, 1), fit(X, y, {epochs})
backend = keras.backend.backend()
if backend == "torch":
    import torch
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
elif backend == "jax":
    import jax
    device = str(jax.devices()[0])
else:
    import tensorflow as tf
    device = str(tf.config.list_logical_devices()[-1].name)
epoch = (more - one) / ({epochs} - 1)
print("RESULT", json.dumps({{"backend": backend, "device": device, "epoch_s": epoch,
                             "one_epoch_fit_s": one}}))
"""


def run(backend, gpu, args):
    here = os.path.dirname(os.path.abspath(__file__))
    code = CHILD.format(
        src=os.path.join(here, "..", "src"),
        bench=here,
        rows=args.rows,
        batch=args.batch_size,
        epochs=args.epochs,
    )
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if not gpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
        env["JAX_PLATFORMS"] = "cpu"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=args.timeout,
        )
    except subprocess.TimeoutExpired:
        return {"backend": backend, "gpu": gpu, "error": f"over {args.timeout} s"}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return {"gpu": gpu, **json.loads(line[7:])}
    return {"backend": backend, "gpu": gpu, "error": done.stderr.strip()[-600:]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--backends", nargs="+", default=["jax", "torch", "tensorflow"])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=150)
    args = parser.parse_args(argv)

    print(f"{args.rows:,} rows x 30, batch {args.batch_size}, {args.epochs} vs 1 epochs\n")
    print("| backend | GPU seconds per epoch | CPU seconds per epoch | CPU / GPU |")
    print("| --- | ---: | ---: | ---: |")
    for backend in args.backends:
        gpu, cpu = run(backend, True, args), run(backend, False, args)
        for result in (gpu, cpu):
            print(json.dumps(result), file=sys.stderr, flush=True)
        if "error" in gpu or "error" in cpu:
            print(f"| {backend} | {gpu.get('error', '')[:80]} | {cpu.get('error', '')[:80]} | |")
            continue
        print(
            f"| {backend} ({gpu['device']}) | {gpu['epoch_s']:.2f} | {cpu['epoch_s']:.2f} "
            f"| {cpu['epoch_s'] / gpu['epoch_s']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
