"""Saving a fitted ``VAEOverSampler`` to one file and loading it back, without pickle.

The file is a zip archive (:mod:`._archive`) of these members:

- ``manifest.json``: the format's name and version, the versions of the library and of Keras,
  Keras's backend, and the SHA-256 of every other member;
- ``params.json``: ``get_params()``;
- ``state.json``: the fitted attributes, as typed JSON (:mod:`._typed_json`), each array a
  reference to a member of ``arrays/`` and each Keras model one to a member of ``models/``;
- ``arrays/<n>.npy``: the numeric arrays, written by ``numpy.save`` without pickle;
- ``models/<n>.keras``: each over-sampled class's VAE in Keras's own format.

Nothing is unpickled when loading.
"""

import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from sklearn.utils.validation import check_is_fitted

from .archive import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MemberError,
    Reader,
    Writer,
    library_version,
)
from .typed_json import Decoder, Encoder, Unsupported

if TYPE_CHECKING:
    from .._sampler import VAEOverSampler

# The fitted attributes a file holds (``feature_names_in_`` only when X had column names).
FITTED_ATTRIBUTES = (
    "sampling_strategy_",
    "vaes_",
    "scalers_",
    "encodings_",
    "history_",
    "categorical_features_",
    "categories_",
    "n_features_in_",
    "feature_names_in_",
    "_layout",
    "_ranges",
    "_residuals",
    "_categories_present",
    "_missing",
    "_seen",
    "_x_dtype",
    "_x_sparse_format",
    "_output_container",
)


def save(sampler: "VAEOverSampler", path: str | os.PathLike) -> None:
    """Write a fitted ``sampler`` to ``path``; see ``VAEOverSampler.save``."""
    check_is_fitted(sampler, "vaes_")
    import keras

    from .._models.tabular import VariationalAutoencoder

    params = {}
    for name, value in sampler.get_params(deep=False).items():
        try:
            params[name] = Encoder().encode(value)
        except Unsupported as exc:
            raise ValueError(
                f"Parameter {name}={value!r} cannot be saved without pickle ({exc}). Set it "
                f"to a value made of numbers, strings, lists, tuples and dicts first, for "
                f"example sampler.set_params({name}=...) (a fitted sampler's sample() does "
                "not read it), or save with pickle or joblib if you trust every reader of "
                "the file."
            ) from None
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        with (
            zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive,
            tempfile.TemporaryDirectory() as folder,
        ):
            writer = Writer(archive, Path(folder))
            encoder = Encoder(writer, VariationalAutoencoder)
            state = {}
            for name in FITTED_ATTRIBUTES:
                if hasattr(sampler, name):
                    try:
                        state[name] = encoder.encode(getattr(sampler, name))
                    except Unsupported as exc:
                        raise ValueError(
                            f"The fitted attribute {name} cannot be saved without pickle: {exc}."
                        ) from None
            writer.add_json("params.json", params)
            writer.add_json("state.json", state)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "library_version": library_version(),
                "keras_version": keras.__version__,
                "keras_backend": keras.backend.backend(),
                "members": writer.hashes,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def load(path: str | os.PathLike) -> "VAEOverSampler":
    """Load a ``VAEOverSampler`` written by ``VAEOverSampler.save``, without unpickling.

    Every member of the file is checked against the SHA-256 its manifest records, arrays are
    read with ``allow_pickle=False``, and each class's Keras model is loaded with
    ``safe_mode=True`` once its configuration has been checked to name one of the library's
    own model classes.

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
        altered), its format version is unknown or newer than this library reads, or a model
        names a class that is not one of the library's models. The message names the member.

    Warns
    -----
    UserWarning
        If the file was written by another version of vae-oversampler or Keras.

    See Also
    --------
    VAEOverSampler.save : Write a fitted sampler to one file.
    """
    from .._sampler import VAEOverSampler

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ValueError(
            f"{os.fspath(path)!r} is not a complete vae_oversampler file (truncated or corrupt: "
            f"{exc})."
        ) from None
    with archive, tempfile.TemporaryDirectory() as folder:
        reader = Reader(archive, os.fspath(path), Path(folder))
        params = reader.json("params.json")
        state = reader.json("state.json")
        decoder = Decoder(reader)
        try:
            sampler = VAEOverSampler(**{k: decoder.decode(v) for k, v in params.items()})
            for name, value in state.items():
                if name not in FITTED_ATTRIBUTES:
                    raise ValueError(f"unknown attribute {name!r}")
                setattr(sampler, name, decoder.decode(value))
        except (KeyError, TypeError, IndexError, AttributeError, ValueError) as exc:
            if isinstance(exc, MemberError):
                raise
            raise ValueError(
                f"{reader.path!r} holds a malformed params.json or state.json: {exc}"
            ) from None
    return sampler
