"""The Keras variational autoencoder trained for one class.

Importing this module imports Keras, so the sampler imports it only when it trains.
"""

import math

import keras
import numpy as np
from keras import layers, ops

from ._losses import gaussian_nll, kl_divergence

# Bounds of the decoder's learned per-feature log-variance, in standardised units. The lower
# bound keeps a tiny class from collapsing its noise to zero (which would return copies of the
# decoder's mean); the upper bound is the variance of the standardised data itself.
MIN_OUTPUT_LOG_VAR = math.log(1e-4)
MAX_OUTPUT_LOG_VAR = 0.0


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


@keras.saving.register_keras_serializable(package="vae_oversampler")
class TabularVAE(keras.Model):
    """A VAE for rows of standardised numbers, with a learned per-feature output variance.

    The encoder maps a row to ``(z_mean, z_log_var)``; a latent point is drawn with the
    reparameterisation trick from its own seeded :class:`keras.random.SeedGenerator`; the
    decoder maps it back to the mean of a Gaussian whose per-feature log-variance is a trained
    weight. The loss is the Gaussian negative log-likelihood plus ``beta`` times the KL
    divergence to N(0, I), computed in :meth:`compute_loss` so any Keras backend trains it.

    Parameters
    ----------
    n_features : int
        Width of a row.
    latent_dim : int
        Size of the latent space.
    hidden_layer_sizes : tuple of int
        Widths of the encoder's hidden layers; the decoder mirrors them.
    beta : float
        Weight of the KL term.
    seed : int
        Seeds the initial weights and the sampling noise; see :meth:`reinitialize`.
    """

    def __init__(
        self,
        n_features,
        latent_dim=2,
        hidden_layer_sizes=(64, 64),
        beta=1.0,
        seed=0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.n_features = int(n_features)
        self.latent_dim = int(latent_dim)
        self.hidden_layer_sizes = tuple(int(h) for h in hidden_layer_sizes)
        self.beta = float(beta)
        self.seed = int(seed)
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
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")

    def build(self, input_shape=None):
        self.encoder.build((None, self.n_features))
        encoded_shape = (None, self.hidden_layer_sizes[-1])
        self.z_mean_layer.build(encoded_shape)
        self.z_log_var_layer.build(encoded_shape)
        self.decoder.build((None, self.latent_dim))
        self.x_mean_layer.build((None, self.hidden_layer_sizes[0]))
        self.x_log_var = self.add_weight(
            shape=(self.n_features,), initializer="zeros", name="x_log_var"
        )
        self.built = True
        self.reinitialize(self.seed)

    def reinitialize(self, seed):
        """Reset every weight and the sampling noise to their seeded starting values.

        Kernels are Glorot-uniform draws from ``numpy.random.RandomState(seed)``; biases, the
        posterior log-variance head and the output log-variance start at zero, so a new model
        starts as N(0, 1) per standardised feature. Reusing a compiled model through this method
        trains exactly as a new model with the same seed would.
        """
        rng = np.random.RandomState(seed)
        glorot = [*self.encoder.layers, self.z_mean_layer, *self.decoder.layers, self.x_mean_layer]
        for layer in glorot:
            fan_in, fan_out = layer.kernel.shape
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            layer.kernel.assign(rng.uniform(-limit, limit, (fan_in, fan_out)).astype("float32"))
        for layer in [*glorot, self.z_log_var_layer]:
            layer.bias.assign(np.zeros(layer.bias.shape, dtype="float32"))
        self.z_log_var_layer.kernel.assign(np.zeros(self.z_log_var_layer.kernel.shape, "float32"))
        self.x_log_var.assign(np.zeros(self.n_features, dtype="float32"))
        state = self.seed_generator.state
        state.assign(np.array([seed, 0], dtype=state.dtype))

    def encode(self, x):
        """Return ``(z_mean, z_log_var)`` of the approximate posterior q(z|x)."""
        hidden = self.encoder(x)
        return self.z_mean_layer(hidden), self.z_log_var_layer(hidden)

    def decode(self, z):
        """Return the decoder's mean for latent points ``z``."""
        return self.x_mean_layer(self.decoder(z))

    def output_log_var(self):
        """The decoder's per-feature log-variance, inside its bounds."""
        return ops.clip(self.x_log_var, MIN_OUTPUT_LOG_VAR, MAX_OUTPUT_LOG_VAR)

    def call(self, inputs, training=False):
        z_mean, z_log_var = self.encode(inputs)
        noise = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        z = z_mean + ops.exp(0.5 * z_log_var) * noise
        return self.decode(z), z_mean, z_log_var

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        x_mean, z_mean, z_log_var = y_pred
        reconstruction = _mean(gaussian_nll(x, x_mean, self.output_log_var()), sample_weight)
        kl = _mean(kl_divergence(z_mean, z_log_var), sample_weight)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return reconstruction + self.beta * kl

    def get_config(self):
        return {
            **super().get_config(),
            "n_features": self.n_features,
            "latent_dim": self.latent_dim,
            "hidden_layer_sizes": list(self.hidden_layer_sizes),
            "beta": self.beta,
            "seed": self.seed,
        }
