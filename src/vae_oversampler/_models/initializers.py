"""Seeded starting values for the VAEs' weights, drawn with NumPy.

Keras initialisers without a seed draw from Python's global ``random`` module, which the sampler
must neither read nor change; drawing here from ``numpy.random.RandomState(seed)`` makes a
model's start a function of its seed alone, and lets a pooled model be reset in place.
"""

import math

import numpy as np


def glorot_uniform(shape, rng: np.random.RandomState) -> np.ndarray:
    """Glorot-uniform values for a dense (in, out) or convolutional (..., in, out) kernel."""
    receptive = math.prod(shape[:-2])
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, tuple(shape)).astype("float32")


def reset_layers(layers, rng: np.random.RandomState, zero_kernels=()) -> None:
    """Put ``layers`` back to their starting values, in order.

    Kernels get Glorot-uniform draws (zeros for the layers in ``zero_kernels``), biases zeros,
    batch normalisation ``gamma=1, beta=0`` and moving statistics ``(0, 1)``.
    """
    for layer in layers:
        if hasattr(layer, "moving_mean"):
            for name, value in [
                ("gamma", 1),
                ("beta", 0),
                ("moving_mean", 0),
                ("moving_variance", 1),
            ]:
                variable = getattr(layer, name)
                variable.assign(np.full(variable.shape, value, dtype="float32"))
            continue
        kernel = layer.kernel
        if any(layer is zero for zero in zero_kernels):
            kernel.assign(np.zeros(kernel.shape, dtype="float32"))
        else:
            kernel.assign(glorot_uniform(kernel.shape, rng))
        if layer.bias is not None:
            layer.bias.assign(np.zeros(layer.bias.shape, dtype="float32"))
