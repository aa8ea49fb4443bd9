"""Turning a trained VAE into new rows: latent points, decoding, noise and dtype.

All randomness comes from the NumPy generator passed in, so sampling is reproducible and
independent of Keras's random state.
"""

import numpy as np

# The largest latent_spread: ten posterior standard deviations already reach far into the
# prior's tails, and a larger factor only makes rows the decoder has never seen.
MAX_LATENT_SPREAD = 10.0

# Values (rows x encoded width) encoded or decoded per call, to bound the temporaries when
# millions of rows, or rows with a 1,000-level one-hot block, are asked for.
CHUNK_VALUES = 2**22


def chunk_rows(width: int) -> int:
    """Rows per encoding or decoding call for rows of ``width`` values."""
    return max(1, CHUNK_VALUES // max(width, 1))


def encode(model, x: np.ndarray):
    """Return the posterior ``(z_mean, z_log_var)`` of each row of ``x`` as float32 arrays."""
    from keras import ops

    z_mean = np.empty((len(x), model.latent_dim), dtype=np.float32)
    z_log_var = np.empty_like(z_mean)
    step = chunk_rows(x.shape[1])
    for start in range(0, len(x), step):
        stop = start + step
        mean, log_var = model.encode(ops.convert_to_tensor(x[start:stop]))
        z_mean[start:stop] = ops.convert_to_numpy(mean)
        z_log_var[start:stop] = ops.convert_to_numpy(log_var)
    return z_mean, z_log_var


# Neighbours of an encoded row among which ``latent_sampling="interpolate"`` picks one.
LATENT_NEIGHBOURS = 5


def latent_neighbours(z_mean: np.ndarray) -> np.ndarray:
    """Indices of each encoded row's nearest other rows, shape (n_rows, k)."""
    from sklearn.neighbors import NearestNeighbors

    k = min(LATENT_NEIGHBOURS, len(z_mean) - 1)
    return NearestNeighbors(n_neighbors=k + 1).fit(z_mean).kneighbors(z_mean)[1][:, 1:]


class Origins:
    """The class rows latent points grew from: ``rows`` (one per point), and for points on a
    segment between two encodings the ``partners`` at the segment's other end and the
    ``step`` (in [0, 1)) taken from ``rows`` towards them."""

    def __init__(self, rows: np.ndarray, partners=None, step=None):
        self.rows, self.partners, self.step = rows, partners, step

    def blend(self, values: np.ndarray) -> np.ndarray:
        """Per point, the value of its row, or on a segment the same mix of its two rows'
        values as its latent point is of their encodings."""
        if self.partners is None:
            return values[self.rows]
        step = self.step[:, None].astype(values.dtype)
        return (1 - step) * values[self.rows] + step * values[self.partners]


def latent_points(
    n_samples: int,
    latent_dim: int,
    rng,
    posterior=None,
    neighbours=None,
    return_rows=False,
    spread: float = 1.0,
):
    """Draw latent points from N(0, I), from the posterior of randomly chosen rows, or (with
    ``neighbours``) on segments between a row's encoding and a neighbour's.

    ``posterior`` is ``(z_mean, z_log_var)`` of the class's rows, as :func:`encode` returns;
    ``neighbours`` is :func:`latent_neighbours` of its ``z_mean``. ``spread`` multiplies the
    posterior's standard deviation (posterior points only). With ``return_rows``, also return
    the :class:`Origins` of the points (``None`` for prior points).
    """
    origins = None
    if neighbours is not None:
        z_mean = posterior[0]
        rows = rng.randint(len(z_mean), size=n_samples)
        partners = neighbours[rows, rng.randint(neighbours.shape[1], size=n_samples)]
        step = rng.random_sample(n_samples)
        z = (z_mean[rows] + step[:, None] * (z_mean[partners] - z_mean[rows])).astype(np.float32)
        origins = Origins(rows, partners, step)
    else:
        noise = rng.standard_normal((n_samples, latent_dim))
        if posterior is None:
            z = noise.astype(np.float32)
        else:
            z_mean, z_log_var = posterior
            rows = rng.randint(len(z_mean), size=n_samples)
            std = np.exp(0.5 * z_log_var[rows])
            # Skipped at 1, so that the default's points keep their bits.
            if spread != 1.0:
                std = spread * std
            z = (z_mean[rows] + std * noise).astype(np.float32)
            origins = Origins(rows)
    return (z, origins) if return_rows else z


def nearest_rows(z: np.ndarray, z_mean: np.ndarray) -> np.ndarray:
    """Index of the encoded row (of ``z_mean``) closest to each latent point of ``z``."""
    from sklearn.neighbors import NearestNeighbors

    return NearestNeighbors(n_neighbors=1).fit(z_mean).kneighbors(z)[1][:, 0]


def residuals(model, x: np.ndarray, z_mean: np.ndarray) -> np.ndarray:
    """Reconstruction residuals of the numeric columns: each row minus the decoder's mean at
    the row's encoding, in the standardised space, as float32 (the precision of the VAE's own
    rows and output; they are kept for every row of the class). A missing cell's residual is
    0: the row has no value there to keep."""
    n_numeric = model.n_numeric
    out = np.empty((len(x), n_numeric), dtype=np.float32)
    step = chunk_rows(model.n_features)
    for start in range(0, len(x), step):
        stop = start + step
        out[start:stop] = x[start:stop, :n_numeric] - decode(model, z_mean[start:stop])[0]
    first = model.n_features - len(model.missing_columns)
    for i, column in enumerate(model.missing_columns):
        if column >= 0:
            out[x[:, first + i] > 0.5, column] = 0.0
    return out


def decode(
    model, z: np.ndarray, rng=None, noise=True, present=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode latent points into standardised numeric columns, category codes and the logits
    of the missingness indicators, in one call (callers pass at most
    ``chunk_rows(model.n_features)`` points at a time).

    With ``rng``, each numeric value gets the decoder's learned Gaussian noise (unless
    ``noise`` is false) and each category is drawn from its softmax; without it, the
    decoder's means and the most likely categories are returned. ``present``, a boolean mask
    over the one-hot blocks, limits each column's categories to those the class holds (a
    softmax gives every category some probability). Image models return pixel intensities and
    no categories.

    Returns
    -------
    numeric : ndarray of shape (len(z), model.n_numeric), float64
    codes : ndarray of shape (len(z), len(model.categorical_sizes)), int64
    missing_logits : ndarray of shape (len(z), len(model.missing_columns)), float64
    """
    from keras import ops

    out = ops.convert_to_numpy(model.decode(ops.convert_to_tensor(z))).astype(np.float64)
    n_numeric = model.n_numeric
    numeric = out[:, :n_numeric]
    if rng is not None and noise and hasattr(model, "output_log_var"):
        std = np.exp(0.5 * ops.convert_to_numpy(model.output_log_var()).astype(np.float64))
        numeric += std * rng.standard_normal(numeric.shape)
    sizes = model.categorical_sizes
    codes = np.empty((len(z), len(sizes)), dtype=np.int64)
    start = n_numeric
    for j, size in enumerate(sizes):
        logits = out[:, start : start + size]
        held = None if present is None else present[start - n_numeric : start - n_numeric + size]
        # A column the class never observes has no category present; it is written missing.
        if held is not None and held.any():
            logits[:, ~held] = -np.inf
        start += size
        if rng is None:
            codes[:, j] = logits.argmax(axis=1)
            continue
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        cumulative = np.cumsum(probabilities, axis=1)
        draws = rng.random_sample(len(z)) * cumulative[:, -1]
        codes[:, j] = np.minimum((cumulative < draws[:, None]).sum(axis=1), size - 1)
    return numeric, codes, out[:, out.shape[1] - len(model.missing_columns) :]
