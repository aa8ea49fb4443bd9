"""The Keras variational autoencoder trained for one class.

Importing this module imports Keras, so the sampler imports it only when it trains.
"""

import math

import keras
import numpy as np
from keras import layers, ops

from .initializers import reset_layers
from .losses import kl_divergence, table_nll

# Bounds of the decoder's learned per-feature log-variance, in standardised units. The lower
# bound keeps a tiny class from collapsing its noise to zero (which would return copies of the
# decoder's mean); the upper bound is the variance of the standardised data itself.
MIN_OUTPUT_LOG_VAR = math.log(1e-4)
MAX_OUTPUT_LOG_VAR = 0.0
# How the weight ``x_log_var`` becomes the log-variance (see ``bounded_log_var``). "sigmoid",
# the bound of every model trained since issue 31, squashes it smoothly into the bounds, so
# that its gradient never vanishes; the weight starts where the log-variance is log(0.5),
# below the upper bound, so that it can learn in both directions. "clip" is what files of
# format 2 and older hold: a hard clip, whose weight started at 0, on the upper bound, and
# mostly stayed there (docs/history/smooth_output_log_var.md).
OUTPUT_VARIANCES = ("sigmoid", "clip")
START_OUTPUT_LOG_VAR = math.log(0.5)


def bounded_log_var(weight, output_variance: str):
    """The decoder's log-variance for the weight ``x_log_var``, inside
    ``[MIN_OUTPUT_LOG_VAR, MAX_OUTPUT_LOG_VAR]``: ``MIN + (MAX - MIN) * sigmoid(weight)`` for
    ``"sigmoid"``, ``clip(weight, MIN, MAX)`` for ``"clip"``."""
    if output_variance == "clip":
        return ops.clip(weight, MIN_OUTPUT_LOG_VAR, MAX_OUTPUT_LOG_VAR)
    span = MAX_OUTPUT_LOG_VAR - MIN_OUTPUT_LOG_VAR
    return MIN_OUTPUT_LOG_VAR + span * ops.sigmoid(weight)


def start_weight(output_variance: str) -> float:
    """The value ``x_log_var`` starts from: log(0.5) through the sigmoid bound, 0 for a clip."""
    if output_variance == "clip":
        return 0.0
    low, high = MIN_OUTPUT_LOG_VAR, MAX_OUTPUT_LOG_VAR
    return math.log((START_OUTPUT_LOG_VAR - low) / (high - START_OUTPUT_LOG_VAR))


def check_output_variance(value) -> str:
    if value not in OUTPUT_VARIANCES:
        raise ValueError(f"output_variance must be one of {OUTPUT_VARIANCES}, got {value!r}")
    return value


def _dense_stack(sizes, name):
    # Weights start at zero and are set by ``TabularVAE.reinitialize``: a Keras initialiser
    # without a seed would draw from Python's global random state.
    return keras.Sequential(
        [
            layers.Dense(size, activation="relu", kernel_initializer="zeros", name=f"{name}_{i}")
            for i, size in enumerate(sizes)
        ],
        name=name,
    )


def _mean(values, weights=None):
    if weights is None:
        return ops.mean(values)
    weights = ops.cast(weights, values.dtype)
    return ops.sum(values * weights) / ops.sum(weights)


class VariationalAutoencoder(keras.Model):
    """What every VAE of the sampler shares: the seeded reparameterisation and the loss.

    Subclasses define :meth:`encode` (rows to ``(z_mean, z_log_var)``), :meth:`decoder_output`
    (latent points to the decoder's raw output), :meth:`decode` (latent points to the mean of
    a row), :meth:`reconstruction_nll` (per-row negative log-likelihood of rows given the raw
    output) and :meth:`reinitialize`. The loss, computed in :meth:`compute_loss` so that any
    Keras backend trains it, is the reconstruction term plus ``beta`` times the KL divergence
    to N(0, I).
    """

    # Widths of the one-hot blocks after the numeric columns of a row.
    categorical_sizes = ()
    # Per missingness indicator at the end of a row: the numeric column it marks, or -1.
    missing_columns = ()

    def __init__(self, n_features, latent_dim, beta, seed, **kwargs):
        # A fixed name, not Keras's unique "tabular_vae_<n>": TensorFlow keeps about 35 KiB
        # for each distinct variable name it has seen, so unique names grow a process's
        # memory by 0.6 MiB per model (benchmarks/memory_calls.py).
        kwargs.setdefault("name", "vae")
        super().__init__(**kwargs)
        self.n_features = int(n_features)
        self.latent_dim = int(latent_dim)
        self.beta = float(beta)
        self.seed = int(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed, name="seed_generator")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def n_numeric(self) -> int:
        """Numeric columns at the start of a row."""
        return self.n_features - sum(self.categorical_sizes) - len(self.missing_columns)

    def reset_seed(self, seed):
        """Restart the reparameterisation noise from ``seed``."""
        state = self.seed_generator.state
        state.assign(np.array([seed, 0], dtype=state.dtype))

    def call(self, inputs, training=False):
        z_mean, z_log_var = self.encode(inputs, training=training)
        noise = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        z = z_mean + ops.exp(0.5 * z_log_var) * noise
        return self.decoder_output(z, training=training), z_mean, z_log_var

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        output, z_mean, z_log_var = y_pred
        # PyTorch's test_on_batch hands x over as the caller's NumPy array.
        x = ops.convert_to_tensor(x, dtype=z_mean.dtype)
        reconstruction = _mean(self.reconstruction_nll(x, output), sample_weight)
        kl = _mean(kl_divergence(z_mean, z_log_var), sample_weight)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return reconstruction + self.beta * kl

    def get_config(self):
        return {
            **super().get_config(),
            "n_features": self.n_features,
            "latent_dim": self.latent_dim,
            "beta": self.beta,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="vae_oversampler")
class TabularVAE(VariationalAutoencoder):
    """A VAE for table rows: standardised numbers, then one-hot blocks of categories.

    An MLP encoder maps a row to ``(z_mean, z_log_var)``; an MLP decoder maps a latent point
    back to the mean of a Gaussian for each numeric column, whose per-column log-variance is a
    trained weight, and to the logits of a softmax for each categorical column. The
    reconstruction term is the Gaussian negative log-likelihood plus the categorical
    cross-entropies.

    Parameters
    ----------
    n_features : int
        Width of an encoded row: the numeric columns plus every one-hot block.
    latent_dim : int
        Size of the latent space.
    hidden_layer_sizes : tuple of int
        Widths of the encoder's hidden layers; the decoder mirrors them.
    beta : float
        Weight of the KL term.
    seed : int
        Seeds the initial weights and the sampling noise; see :meth:`reinitialize`.
    categorical_sizes : tuple of int
        Widths of the one-hot blocks that follow the numeric columns, one per categorical
        column.
    missing_columns : tuple of int
        One entry per missingness indicator that ends each row (1 where the cell is
        missing): the position among the numeric columns of the column it marks, or -1 for a
        categorical column. The decoder gives each indicator a logit; see
        :func:`~vae_oversampler._losses.table_nll`.
    output_variance : {"sigmoid", "clip"}
        How the per-column log-variance weight is bounded; see :func:`bounded_log_var`. The
        library trains ``"sigmoid"``; ``"clip"``, the default, is what a saved model of
        format 2 or older means, whose config does not name it.
    """

    def __init__(
        self,
        n_features,
        latent_dim=2,
        hidden_layer_sizes=(64, 64),
        beta=1.0,
        seed=0,
        categorical_sizes=(),
        missing_columns=(),
        output_variance="clip",
        **kwargs,
    ):
        super().__init__(n_features, latent_dim, beta, seed, **kwargs)
        self.output_variance = check_output_variance(output_variance)
        self.hidden_layer_sizes = tuple(int(h) for h in hidden_layer_sizes)
        self.categorical_sizes = tuple(int(s) for s in categorical_sizes)
        self.missing_columns = tuple(int(c) for c in missing_columns)
        self.encoder = _dense_stack(self.hidden_layer_sizes, "encoder")
        self.z_mean_layer = layers.Dense(
            self.latent_dim, kernel_initializer="zeros", name="z_mean"
        )
        self.z_log_var_layer = layers.Dense(
            self.latent_dim, kernel_initializer="zeros", name="z_log_var"
        )
        self.decoder = _dense_stack(self.hidden_layer_sizes[::-1], "decoder")
        self.x_mean_layer = layers.Dense(
            self.n_features, kernel_initializer="zeros", name="x_mean"
        )

    def build(self, input_shape=None):
        self.encoder.build((None, self.n_features))
        encoded_shape = (None, self.hidden_layer_sizes[-1])
        self.z_mean_layer.build(encoded_shape)
        self.z_log_var_layer.build(encoded_shape)
        self.decoder.build((None, self.latent_dim))
        self.x_mean_layer.build((None, self.hidden_layer_sizes[0]))
        # A table of categories only has no numeric noise to learn.
        self.x_log_var = self.add_weight(
            shape=(self.n_numeric,),
            initializer="zeros",
            trainable=self.n_numeric > 0,
            name="x_log_var",
        )
        self.built = True
        self.reinitialize(self.seed)

    def reinitialize(self, seed):
        """Reset every weight and the sampling noise to their seeded starting values.

        Kernels are Glorot-uniform draws from ``numpy.random.RandomState(seed)``; biases and
        the posterior log-variance head start at zero, and the output log-variance at
        :func:`start_weight`'s value (log 0.5 through the sigmoid bound). Reusing a compiled
        model through this method trains exactly as a new model with the same seed would.
        """
        heads = [self.z_mean_layer, self.z_log_var_layer]
        reset_layers(
            [*self.encoder.layers, *heads, *self.decoder.layers, self.x_mean_layer],
            np.random.RandomState(seed),
            zero_kernels=[self.z_log_var_layer],
        )
        start = start_weight(self.output_variance)
        self.x_log_var.assign(np.full(self.n_numeric, start, dtype="float32"))
        self.reset_seed(seed)

    def encode(self, x, training=False):
        """Return ``(z_mean, z_log_var)`` of the approximate posterior q(z|x)."""
        hidden = self.encoder(x)
        return self.z_mean_layer(hidden), self.z_log_var_layer(hidden)

    def decoder_output(self, z, training=False):
        """The numeric columns' means, then the categories' logits and the missingness
        indicators' logits, for latent points ``z``."""
        return self.x_mean_layer(self.decoder(z))

    def decode(self, z):
        """Return the numeric means, the category logits and the missingness logits for latent
        points ``z``."""
        return self.decoder_output(z)

    def reconstruction_nll(self, x, output):
        """Negative log-likelihood of each row: Gaussian with the learned variance for the
        observed numeric cells, categorical for each one-hot block, Bernoulli for each
        missingness indicator."""
        return table_nll(
            x, output, self.output_log_var(), self.categorical_sizes, self.missing_columns
        )

    def output_log_var(self):
        """The decoder's per-numeric-column log-variance, inside its bounds."""
        return bounded_log_var(self.x_log_var, self.output_variance)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_layer_sizes": list(self.hidden_layer_sizes),
            "categorical_sizes": list(self.categorical_sizes),
            "missing_columns": list(self.missing_columns),
            "output_variance": self.output_variance,
        }
