"""How big a class's VAE is, from its sizes alone (no Keras): the bound on what is built."""

import itertools
import math

# The most weights a class's VAE may have (512 MiB of float32): far above any useful network
# for a table or an image (64-64 on 1,000 columns is 0.2 million; a 224x224 RGB image at
# latent size 8 is 4.8 million), and far below what would take a machine down when Adam's two
# moments and a stack of 8 classes multiply it.
MAX_MODEL_WEIGHTS = 2**27


def model_weights(n_features: int, latent_dim: int, hidden: tuple, image_shape=None) -> int:
    """About how many weights the VAE of a class with rows of ``n_features`` encoded values
    has: the dense layers that the parameters size (convolutions are fixed and small)."""
    if image_shape is not None:
        height, width, _ = image_shape
        flat = -(-height // 4) * -(-width // 4) * 64
        return 3 * flat * latent_dim + 2 * math.prod(image_shape)
    widths = [n_features, *hidden]
    dense = sum(a * b for a, b in itertools.pairwise(widths))
    return 2 * dense + 3 * hidden[-1] * latent_dim + hidden[0] * n_features


def check_model_size(n_features, latent_dim, hidden, image_shape=None) -> None:
    """Raise a ValueError when ``latent_dim`` and ``hidden_layer_sizes`` make a VAE of more
    than ``MAX_MODEL_WEIGHTS`` weights."""
    weights = model_weights(n_features, latent_dim, hidden, image_shape)
    if weights > MAX_MODEL_WEIGHTS:
        raise ValueError(
            f"latent_dim={latent_dim} and hidden_layer_sizes={hidden} make a VAE of about "
            f"{weights / 1e6:,.0f} million weights for rows of {n_features} values, more than "
            f"the {MAX_MODEL_WEIGHTS / 1e6:,.0f} million this library builds for one class. A "
            "few dozen to a few hundred units per layer and a latent size of at most the "
            "number of columns are plenty; for example hidden_layer_sizes=(64, 64)."
        )
