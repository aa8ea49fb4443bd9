"""Turning a trained VAE into new rows: latent points, decoding, noise and dtype.

All randomness comes from the NumPy generator passed in, so sampling is reproducible and
independent of Keras's random state.
"""

import numpy as np

# Rows decoded per call, to bound memory when millions of rows are asked for.
DECODE_BATCH = 65_536


def encode(model, x: np.ndarray):
    """Return the posterior ``(z_mean, z_log_var)`` of each row of ``x`` as float32 arrays."""
    from keras import ops

    means, log_vars = [], []
    for start in range(0, len(x), DECODE_BATCH):
        z_mean, z_log_var = model.encode(ops.convert_to_tensor(x[start : start + DECODE_BATCH]))
        means.append(ops.convert_to_numpy(z_mean))
        log_vars.append(ops.convert_to_numpy(z_log_var))
    return np.concatenate(means), np.concatenate(log_vars)


def latent_points(n_samples: int, latent_dim: int, rng, posterior=None) -> np.ndarray:
    """Draw latent points from N(0, I), or from the posterior of randomly chosen rows.

    ``posterior`` is ``(z_mean, z_log_var)`` of the class's rows, as :func:`encode` returns.
    """
    noise = rng.standard_normal((n_samples, latent_dim))
    if posterior is None:
        return noise.astype(np.float32)
    z_mean, z_log_var = posterior
    rows = rng.randint(len(z_mean), size=n_samples)
    return (z_mean[rows] + np.exp(0.5 * z_log_var[rows]) * noise).astype(np.float32)


def decode(model, z: np.ndarray, rng=None) -> np.ndarray:
    """Decode latent points into standardised rows, in one call (callers pass at most
    ``DECODE_BATCH`` points at a time).

    With ``rng``, each row gets the decoder's learned per-feature Gaussian noise; without it,
    the decoder's mean is returned.
    """
    from keras import ops

    x = ops.convert_to_numpy(model.decode(ops.convert_to_tensor(z))).astype(np.float64)
    if rng is not None:
        std = np.exp(0.5 * ops.convert_to_numpy(model.output_log_var()).astype(np.float64))
        x += std * rng.standard_normal(x.shape)
    return x


def cast_like(values: np.ndarray, dtype) -> np.ndarray:
    """Cast generated float values to the input's dtype: integers are rounded and clipped."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return values > 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.clip(np.rint(values), info.min, info.max).astype(dtype)
    return values.astype(dtype)
