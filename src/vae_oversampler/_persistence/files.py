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

from .._data.codec import ClassCodec, TableCodec
from .._data.missing import ClassMissing
from .._generation.generator import ClassGenerator, HoleModel
from .archive import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MemberError,
    Reader,
    Writer,
    library_version,
)
from .checks import check_fitted
from .typed_json import Decoder, Encoder, Unsupported

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator

# The fitted attributes a file holds (``feature_names_in_`` only when X had column names).
# ``vaes_``, ``scalers_``, ``encodings_`` and ``history_`` are derived from the generators.
FITTED_ATTRIBUTES = (
    "sampling_strategy_",
    "categorical_features_",
    "categories_",
    "n_features_in_",
    "feature_names_in_",
    "_codec",
    "_generators",
    "_x_sparse_format",
    "_output_container",
)
# What files of format version 1 held instead of ``_codec`` and ``_generators``.
FORMAT_1_ATTRIBUTES = (
    "vaes_",
    "scalers_",
    "encodings_",
    "history_",
    "_layout",
    "_ranges",
    "_residuals",
    "_categories_present",
    "_missing",
    "_seen",
    "_x_dtype",
)


def save(sampler: "BaseEstimator", path: str | os.PathLike) -> None:
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


def load(path: str | os.PathLike, estimator_class) -> "BaseEstimator":
    """Read a file that :func:`save` wrote into a new ``estimator_class``; the public
    ``vae_oversampler.load`` documents it. Files of format version 1 are converted to the
    generators of format 2."""
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
        known = FITTED_ATTRIBUTES if reader.format_version >= 2 else _format_1_names()
        try:
            sampler = estimator_class(**{k: decoder.decode(v) for k, v in params.items()})
            # The parameters a fit would accept (sample() reads several of them).
            sampler._validate_params()
            fitted = {}
            for name, value in state.items():
                if name not in known:
                    raise ValueError(f"unknown attribute {name!r}")
                fitted[name] = decoder.decode(value)
            if reader.format_version == 1:
                fitted = _from_format_1(fitted, sampler)
            _link(fitted)
            check_fitted(fitted, fitted.get("n_features_in_"))
            for name, value in fitted.items():
                setattr(sampler, name, value)
            sampler._expose_generators()
        except MemberError:
            raise
        except (
            KeyError,
            TypeError,
            IndexError,
            AttributeError,
            ValueError,
            OverflowError,
            RecursionError,
            MemoryError,
        ) as exc:
            raise ValueError(
                f"{reader.path!r} holds a malformed params.json or state.json: "
                f"{type(exc).__name__}: {exc}"
            ) from None
    return sampler


def _link(fitted: dict) -> None:
    """Give each generator the codec the file holds once."""
    codec = fitted["_codec"]
    if type(codec) is not TableCodec:
        raise ValueError("_codec is not a table codec")
    generators = fitted["_generators"]
    if type(generators) is not dict or not all(
        type(g) is ClassGenerator for g in generators.values()
    ):
        raise ValueError("_generators is not a dict of class generators")
    for generator in generators.values():
        generator.table = codec


def _format_1_names() -> tuple:
    return tuple(n for n in FITTED_ATTRIBUTES if n not in ("_codec", "_generators")) + (
        FORMAT_1_ATTRIBUTES
    )


def _from_format_1(fitted: dict, sampler) -> dict:
    """The attributes of format 2 from those of a file of format version 1: its parallel
    per-class dicts become one generator per class, and its layout and dtype the codec."""
    from .._data.pixels import check_image_shape

    old = {name: fitted.pop(name) for name in FORMAT_1_ATTRIBUTES if name in fitted}
    layout = old["_layout"]
    image_shape = None
    if sampler.image_shape is not None:
        image_shape = check_image_shape(sampler.image_shape, layout.n_columns)
    scalers = old["scalers_"]
    pixels = next(iter(scalers.values()), None) if image_shape is not None else None
    codec = TableCodec(layout, old["_x_dtype"], image_shape, pixels)
    missing = old.get("_missing", {})
    generators = {}
    for label, model in old["vaes_"].items():
        low, high = old["_ranges"][label]
        class_missing, holes = None, None
        if label in missing:
            columns, rates, seed_holes, probabilities = missing[label]
            class_missing = ClassMissing(columns, tuple(model.missing_columns), rates)
            holes = HoleModel(seed_holes, probabilities)
        class_codec = ClassCodec(
            label,
            scalers[label],
            low,
            high,
            old.get("_categories_present", {}).get(label),
            class_missing,
        )
        generators[label] = ClassGenerator(
            class_codec,
            model,
            old["history_"][label],
            old["encodings_"][label],
            old["_residuals"][label],
            holes,
            old.get("_seen", {}).get(label),
        )
    fitted.update(_codec=codec, _generators=generators)
    return fitted
