"""The convolutional VAE trained for one class of images stored as flat rows.

Importing this module imports Keras, so the sampler imports it only when it trains.
"""

import math

import keras
import numpy as np
from keras import layers, ops

from .initializers import reset_layers
from .losses import bernoulli_nll
from .tabular import VariationalAutoencoder

ENCODER_FILTERS = (1, 32, 64)
ENCODER_STRIDES = (1, 2, 2)
DECODER_FILTERS = (64, 32)
# Keras's default, 0.99, leaves the moving statistics near their starting values after the few
# hundred steps a class trains, and decoding (which uses them) then draws poor images: 4% of
# the digits generated from 50 MNIST zeros were read as zeros, against 99% with 0.9.
NORM_MOMENTUM = 0.9


def _conv_block(layer, name):
    return [
        layer,
        layers.BatchNormalization(momentum=NORM_MOMENTUM, name=f"{name}_norm"),
        layers.LeakyReLU(negative_slope=0.2, name=f"{name}_act"),
    ]


@keras.saving.register_keras_serializable(package="vae_oversampler")
class ImageVAE(VariationalAutoencoder):
    """A convolutional VAE for images of ``image_shape`` stored as flat rows in [0, 1].

    The network follows the Keras-MNIST article the library grew out of:

    - encoder: Conv2D(1, 3x3, stride 1), Conv2D(32, 3x3, stride 2), Conv2D(64, 3x3, stride 2),
      each followed by batch normalisation and a leaky ReLU, then dense ``z_mean`` and
      ``z_log_var`` heads;
    - decoder: a dense layer reshaped to a quarter of the image's height and width,
      Conv2DTranspose(64, stride 2) and Conv2DTranspose(32, stride 2), each normalised and
      leaky-ReLU'd, then Conv2DTranspose(channels, stride 1) with no normalisation;
    - loss: binary cross-entropy summed over pixels, plus ``beta`` times the KL divergence.

    Changes from the article: the last layer gives logits, and pixels are their sigmoid, so a
    decoded pixel is always inside [0, 1] (the article's output could leave it), and the loss
    is computed from the logits, which stays finite where the sigmoid saturates. The decoder
    upsamples ``ceil(height / 4) x ceil(width / 4)`` and crops to the image, so any shape
    works (8x8, 28x28, 32x32x3, odd sizes), not only multiples of 4. Batch normalisation's
    moving averages use momentum 0.9 instead of 0.99, so that they have caught up with the
    data by the time a small class stops training (see ``NORM_MOMENTUM``). Weights start from
    seeded NumPy draws, as in :class:`TabularVAE`.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width, channels)`` of one image.
    latent_dim : int
        Size of the latent space.
    beta : float
        Weight of the KL term.
    seed : int
        Seeds the initial weights and the sampling noise; see :meth:`reinitialize`.
    """

    def __init__(self, image_shape, latent_dim=2, beta=1.0, seed=0, **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        super().__init__(math.prod(image_shape), latent_dim, beta, seed, **kwargs)
        self.image_shape = image_shape
        height, width, channels = image_shape
        grid = (-(-height // 4), -(-width // 4))
        zeros = {"kernel_initializer": "zeros"}
        self.encoder = keras.Sequential(name="encoder")
        self.encoder.add(layers.Reshape(image_shape, name="image"))
        for i, (filters, stride) in enumerate(zip(ENCODER_FILTERS, ENCODER_STRIDES, strict=True)):
            conv = layers.Conv2D(
                filters, 3, strides=stride, padding="same", **zeros, name=f"conv_{i}"
            )
            for layer in _conv_block(conv, f"conv_{i}"):
                self.encoder.add(layer)
        self.encoder.add(layers.Flatten(name="flatten"))
        self.z_mean_layer = layers.Dense(self.latent_dim, **zeros, name="z_mean")
        self.z_log_var_layer = layers.Dense(self.latent_dim, **zeros, name="z_log_var")
        self.decoder = keras.Sequential(name="decoder")
        self.decoder.add(
            layers.Dense(grid[0] * grid[1] * DECODER_FILTERS[0], **zeros, name="grid")
        )
        self.decoder.add(layers.Reshape((*grid, DECODER_FILTERS[0]), name="grid_image"))
        for i, filters in enumerate(DECODER_FILTERS):
            deconv = layers.Conv2DTranspose(
                filters, 3, strides=2, padding="same", **zeros, name=f"deconv_{i}"
            )
            for layer in _conv_block(deconv, f"deconv_{i}"):
                self.decoder.add(layer)
        self.decoder.add(
            layers.Conv2DTranspose(channels, 3, padding="same", **zeros, name="logits")
        )
        self.decoder.add(
            layers.Cropping2D(((0, 4 * grid[0] - height), (0, 4 * grid[1] - width)), name="crop")
        )
        self.decoder.add(layers.Flatten(name="pixels"))

    def build(self, input_shape=None):
        self.encoder.build((None, self.n_features))
        encoded_shape = self.encoder.compute_output_shape((None, self.n_features))
        self.z_mean_layer.build(encoded_shape)
        self.z_log_var_layer.build(encoded_shape)
        self.decoder.build((None, self.latent_dim))
        self.built = True
        self.reinitialize(self.seed)

    def _weighted_layers(self):
        heads = [self.z_mean_layer, self.z_log_var_layer]
        every = [*self.encoder.layers, *heads, *self.decoder.layers]
        return [layer for layer in every if layer.weights]

    def reinitialize(self, seed):
        """Reset every weight, the normalisation statistics and the sampling noise.

        Kernels are Glorot-uniform draws from ``numpy.random.RandomState(seed)``; biases and the
        posterior log-variance head start at zero; batch normalisation starts as the identity.
        """
        reset_layers(
            self._weighted_layers(),
            np.random.RandomState(seed),
            zero_kernels=[self.z_log_var_layer],
        )
        self.reset_seed(seed)

    def encode(self, x, training=False):
        """Return ``(z_mean, z_log_var)`` of the approximate posterior q(z|x)."""
        hidden = self.encoder(x, training=training)
        return self.z_mean_layer(hidden), self.z_log_var_layer(hidden)

    def decoder_output(self, z, training=False):
        """The pixels' logits for latent points ``z``, as flat rows."""
        return self.decoder(z, training=training)

    def decode(self, z):
        """Return the decoded pixel intensities in [0, 1] for latent points ``z``."""
        return ops.sigmoid(self.decoder_output(z))

    def reconstruction_nll(self, x, output):
        """Binary cross-entropy of each image, summed over its pixels."""
        return bernoulli_nll(x, output)

    def get_config(self):
        config = super().get_config()
        del config["n_features"]
        return {**config, "image_shape": list(self.image_shape)}
