"""vae-oversampler: an imbalanced-learn over-sampler that trains one Keras VAE per class.

Importing the package is cheap: Keras and its backend are imported only when a sampler trains.
"""

from ._loading import load
from ._sampler import VAEOverSampler
from ._version import __version__ as __version__

__all__ = ["VAEOverSampler", "load"]
