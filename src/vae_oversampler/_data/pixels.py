"""Images as flat rows: checking ``image_shape`` and the pixel range, and scaling to [0, 1]."""

import math
from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin


def check_image_shape(image_shape, n_features: int) -> tuple:
    """Return ``image_shape`` as a tuple of three ints, or raise a ValueError that says why not."""
    shape = tuple(image_shape)
    if len(shape) != 3 or any(not isinstance(s, Integral) or s < 1 for s in shape):
        raise ValueError(
            f"image_shape must be (height, width, channels) with three positive integers, got "
            f"{image_shape!r}; for grey 28x28 images pass image_shape=(28, 28, 1)."
        )
    shape = tuple(int(s) for s in shape)
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape={shape} holds {math.prod(shape)} values per image, but X has "
            f"{n_features} features. Each row of X must be one image flattened with "
            "X.reshape(len(X), -1); pass that image's (height, width, channels)."
        )
    return shape


def pixel_scale(X) -> float:
    """The top of X's pixel range: 1.0 when every value is in [0, 1], else 255.0.

    Raises a ValueError when a value is outside [0, 255].
    """
    low, high = (X.min(), X.max()) if sparse.issparse(X) else (np.min(X), np.max(X))
    if low < 0 or high > 255:
        raise ValueError(
            f"With image_shape, X must hold pixel values in [0, 1] or 0-255, but its values "
            f"run from {low} to {high}. Rescale the images first, for example "
            "X = (X - X.min()) / (X.max() - X.min())."
        )
    return 1.0 if high <= 1 else 255.0


class PixelScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Maps pixels of range [0, ``scale``] to [0, 1] as float32, and back, clipped to the range.

    Parameters
    ----------
    scale : float, default=255.0
        The top of the pixel range: 1.0 or 255.0.
    """

    def __init__(self, scale: float = 255.0):
        self.scale = scale

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return (np.asarray(X, dtype=np.float32) / np.float32(self.scale)).astype(np.float32)

    def inverse_transform(self, X):
        return np.clip(np.asarray(X, dtype=np.float64) * self.scale, 0.0, self.scale)
