"""The public ``load``: a sampler that ``VAEOverSampler.save`` wrote, read back from its file."""

import os

from ._persistence import files
from ._sampler import VAEOverSampler


def load(path: str | os.PathLike) -> VAEOverSampler:
    """Load a ``VAEOverSampler`` written by ``VAEOverSampler.save``, without unpickling.

    Every member of the file is checked against the SHA-256 its manifest records and its
    declared size before it is read, arrays are read with ``allow_pickle=False`` once their
    headers have been checked, each class's Keras model is loaded with ``safe_mode=True`` once
    its configuration has been checked key for key against what the library writes, and the
    loaded values are checked for sense. Files of the previous format (version 1) load too.
    The SHA-256 manifest catches damage, not forgery: load files only from writers you trust,
    as with ``.keras`` files.

    Read more in the :ref:`User Guide <saving_loading>`.

    Parameters
    ----------
    path : str or path-like
        The file that ``VAEOverSampler.save`` wrote.

    Returns
    -------
    sampler : VAEOverSampler
        The fitted sampler: ``sample(n, label, random_state=k)`` gives the same rows as the
        sampler that was saved, in the same environment.

    Raises
    ------
    ValueError
        If the file is not a complete archive (truncated or corrupt), lacks a member or holds
        an unexpected one, a member's SHA-256 differs from the manifest's (the file was
        altered), its format version is unknown or newer than this library reads, a model's
        configuration is not one the library writes, a member is larger than its content
        needs, or a value is not one a fit produces. The message names the member or the
        attribute.

    Warns
    -----
    UserWarning
        If the file was written by another version of vae-oversampler or Keras.

    See Also
    --------
    VAEOverSampler.save : Write a fitted sampler to one file.
    """
    return files.load(path, VAEOverSampler)
