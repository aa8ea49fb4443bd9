"""Saving a fitted ``VAEOverSampler`` to one file and loading it back, without pickle.

The file is a zip archive of these members:

- ``manifest.json``: the format's name and version, the versions of the library and of Keras,
  Keras's backend, and the SHA-256 of every other member;
- ``params.json``: ``get_params()``;
- ``state.json``: the fitted attributes, as typed JSON (below), each array a reference to a
  member of ``arrays/`` and each Keras model one to a member of ``models/``;
- ``arrays/<n>.npy``: the numeric arrays, written by ``numpy.save`` without pickle;
- ``models/<n>.keras``: each over-sampled class's VAE in Keras's own format.

Typed JSON keeps the Python and NumPy types that plain JSON would lose: a JSON object is always
``{"$": tag, ...}`` with a tag from a fixed list (a NumPy scalar with its dtype, a tuple, a dict
with any keys, an array, a dtype, a scaler with its fitted attributes, the column layout, the
pandas dtypes and columns that imbalanced-learn's ``ArraysTransformer`` restores), so labels
such as ``np.int64(1)`` or ``"a"``, and categories of any of those types, come back as they
were. Anything else (a callable, an arbitrary object) is refused when saving.

Loading refuses, with a ``ValueError`` that names the member: a file that is not a complete zip
archive, a missing or unexpected member, a member whose SHA-256 differs from the manifest's, an
unknown or newer format version, and a Keras model whose ``config.json`` names a class other
than the library's own models (checked before Keras reads it; Keras then loads it with
``safe_mode=True``). Arrays are read with ``allow_pickle=False``; nothing is unpickled.
"""

import hashlib
import io
import json
import math
import os
import re
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from ._columns import ColumnLayout
from ._pixels import PixelScaler

if TYPE_CHECKING:
    from ._sampler import VAEOverSampler

FORMAT = "vae_oversampler.VAEOverSampler"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

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
    "_x_dtype",
    "_x_sparse_format",
    "_output_container",
)

# The scalers a file may rebuild, by class name; they are rebuilt from their parameters and
# fitted attributes.
SCALERS = {cls.__name__: cls for cls in (StandardScaler, FunctionTransformer, PixelScaler)}

# The Keras model classes a file may hold: registered name -> (module, class name).
MODEL_CLASSES = {
    "vae_oversampler>TabularVAE": ("vae_oversampler._model", "TabularVAE"),
    "vae_oversampler>ImageVAE": ("vae_oversampler._image_model", "ImageVAE"),
}
# Keras objects that may appear inside a model's config (its dtype policy).
NESTED_KERAS_CLASSES = {"DTypePolicy", "FloatDTypePolicy"}
KERAS_MEMBERS = {"config.json", "metadata.json", "model.weights.h5"}

_CHUNK = 1 << 20
# What a scaler's fitted attribute is named: ``mean_``, ``n_features_in_``.
_FITTED_NAME = re.compile(r"[a-z][a-z0-9_]*_")


class _Unsupported(Exception):
    """A value that typed JSON cannot hold."""


def save(sampler: "VAEOverSampler", path: str | os.PathLike) -> None:
    """Write a fitted ``sampler`` to ``path``; see ``VAEOverSampler.save``."""
    check_is_fitted(sampler, "vaes_")
    import keras

    from ._model import VariationalAutoencoder

    params = {}
    for name, value in sampler.get_params(deep=False).items():
        try:
            params[name] = _Encoder().encode(value)
        except _Unsupported as exc:
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
            writer = _Writer(archive, Path(folder))
            encoder = _Encoder(writer, VariationalAutoencoder)
            state = {}
            for name in FITTED_ATTRIBUTES:
                if hasattr(sampler, name):
                    try:
                        state[name] = encoder.encode(getattr(sampler, name))
                    except _Unsupported as exc:
                        raise ValueError(
                            f"The fitted attribute {name} cannot be saved without pickle: {exc}."
                        ) from None
            writer.add_json("params.json", params)
            writer.add_json("state.json", state)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "library_version": _library_version(),
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
    from ._sampler import VAEOverSampler

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ValueError(
            f"{os.fspath(path)!r} is not a complete vae_oversampler file (truncated or corrupt: "
            f"{exc})."
        ) from None
    with archive, tempfile.TemporaryDirectory() as folder:
        reader = _Reader(archive, os.fspath(path), Path(folder))
        params = reader.json("params.json")
        state = reader.json("state.json")
        decoder = _Decoder(reader)
        try:
            sampler = VAEOverSampler(**{k: decoder.decode(v) for k, v in params.items()})
            for name, value in state.items():
                if name not in FITTED_ATTRIBUTES:
                    raise ValueError(f"unknown attribute {name!r}")
                setattr(sampler, name, decoder.decode(value))
        except (KeyError, TypeError, IndexError, AttributeError, ValueError) as exc:
            if isinstance(exc, _MemberError):
                raise
            raise ValueError(
                f"{reader.path!r} holds a malformed params.json or state.json: {exc}"
            ) from None
    return sampler


def _library_version() -> str:
    from . import __version__

    return __version__


class _MemberError(ValueError):
    """A refused file, with the member at fault in its message."""


class _HashingWriter:
    """A write-only file that passes bytes on and hashes them."""

    def __init__(self, raw):
        self.raw, self.sha256 = raw, hashlib.sha256()

    def write(self, data):
        self.sha256.update(data)
        return self.raw.write(data)


class _Writer:
    """Writes the members of the archive and records their SHA-256."""

    def __init__(self, archive: zipfile.ZipFile, folder: Path):
        self.archive, self.folder = archive, folder
        self.hashes: dict = {}

    def add_json(self, name, value):
        data = json.dumps(value, separators=(",", ":"), allow_nan=False).encode()
        self.archive.writestr(name, data)
        self.hashes[name] = hashlib.sha256(data).hexdigest()

    def add_array(self, array: np.ndarray) -> str:
        name = f"arrays/{sum(n.startswith('arrays/') for n in self.hashes)}.npy"
        with self.archive.open(name, "w", force_zip64=True) as raw:
            out = _HashingWriter(raw)
            np.save(out, array, allow_pickle=False)
        self.hashes[name] = out.sha256.hexdigest()
        return name

    def add_model(self, model) -> str:
        index = sum(n.startswith("models/") for n in self.hashes)
        name = f"models/{index}.keras"
        local = self.folder / f"{index}.keras"
        model.save(local)
        with open(local, "rb") as source, self.archive.open(name, "w", force_zip64=True) as raw:
            out = _HashingWriter(raw)
            while chunk := source.read(_CHUNK):
                out.write(chunk)
        local.unlink()
        self.hashes[name] = out.sha256.hexdigest()
        return name


class _Reader:
    """Checks an archive against its manifest and hands out verified members."""

    def __init__(self, archive: zipfile.ZipFile, path: str, folder: Path):
        self.archive, self.path, self.folder = archive, path, folder
        try:
            names = archive.namelist()
            if len(set(names)) != len(names):
                raise _MemberError(f"{path!r} holds a member twice; refusing to load it.")
            if MANIFEST not in names:
                raise _MemberError(
                    f"{path!r} is not a vae_oversampler file: its member {MANIFEST} is missing."
                )
            manifest = self._parse_json(MANIFEST, archive.read(MANIFEST))
            self._check_manifest(manifest)
            self.hashes = manifest["members"]
            for name in self.hashes:
                if name not in names:
                    raise _MemberError(
                        f"{path!r} lacks the member {name}, which its manifest lists; the "
                        "file is incomplete."
                    )
            for name in names:
                if name != MANIFEST and name not in self.hashes:
                    raise _MemberError(
                        f"{path!r} holds the member {name}, which its manifest does not list; "
                        "refusing to load it."
                    )
            for name in self.hashes:
                self._verify(name, self._stream_hash(name))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ValueError(
                f"{path!r} is not a complete vae_oversampler file (truncated or corrupt: {exc})."
            ) from None
        self._warn_versions(manifest)

    def _check_manifest(self, manifest):
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise _MemberError(
                f"{self.path!r} is not a vae_oversampler file: its {MANIFEST} does not name "
                f"the format {FORMAT!r}."
            )
        version = manifest.get("format_version")
        if type(version) is not int or version < 1:
            raise _MemberError(
                f"{self.path!r} has an unknown format version {version!r} in its {MANIFEST}; "
                f"this library reads format version {FORMAT_VERSION}."
            )
        if version > FORMAT_VERSION:
            raise _MemberError(
                f"{self.path!r} has format version {version} (written by vae_oversampler "
                f"{manifest.get('library_version')}), newer than the version "
                f"{FORMAT_VERSION} that vae_oversampler {_library_version()} reads; upgrade "
                "vae_oversampler to load it."
            )
        members = manifest.get("members")
        if not isinstance(members, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in members.items()
        ):
            raise _MemberError(f"{self.path!r} has a malformed member list in its {MANIFEST}.")

    def _warn_versions(self, manifest):
        import keras

        written, ours = manifest.get("library_version"), _library_version()
        if written != ours:
            warnings.warn(
                f"{self.path!r} was written by vae_oversampler {written} and is loaded by "
                f"vae_oversampler {ours}; sample() may not give the same rows.",
                UserWarning,
                stacklevel=4,
            )
        written = f"{manifest.get('keras_version')} ({manifest.get('keras_backend')})"
        ours = f"{keras.__version__} ({keras.backend.backend()})"
        if written != ours:
            warnings.warn(
                f"{self.path!r} was written with Keras {written} and is loaded with Keras "
                f"{ours}; sample() may not give the same rows bit for bit.",
                UserWarning,
                stacklevel=4,
            )

    def _stream_hash(self, name) -> str:
        sha256 = hashlib.sha256()
        with self.archive.open(name) as member:
            while chunk := member.read(_CHUNK):
                sha256.update(chunk)
        return sha256.hexdigest()

    def _verify(self, name, digest):
        if digest != self.hashes[name]:
            raise _MemberError(
                f"{self.path!r}: the SHA-256 of the member {name} does not match its manifest; "
                "the file was altered or damaged. Refusing to load it."
            )

    def read(self, name) -> bytes:
        """The bytes of member ``name``, checked against the manifest."""
        if name not in self.hashes:
            raise _MemberError(f"{self.path!r} refers to the member {name}, which it lacks.")
        try:
            data = self.archive.read(name)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _MemberError(f"{self.path!r}: the member {name} is corrupt ({exc}).") from None
        self._verify(name, hashlib.sha256(data).hexdigest())
        return data

    def _parse_json(self, name, data):
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise _MemberError(
                f"{self.path!r}: the member {name} is not valid JSON ({exc})."
            ) from None

    def json(self, name):
        return self._parse_json(name, self.read(name))

    def array(self, name) -> np.ndarray:
        if not name.startswith("arrays/"):
            raise _MemberError(f"{self.path!r}: the member {name} is not an array member.")
        try:
            return np.load(io.BytesIO(self.read(name)), allow_pickle=False)
        except _MemberError:
            raise
        except ValueError as exc:
            raise _MemberError(
                f"{self.path!r}: the member {name} is not a plain NumPy array ({exc})."
            ) from None

    def model(self, name):
        if not name.startswith("models/"):
            raise _MemberError(f"{self.path!r}: the member {name} is not a model member.")
        data = self.read(name)
        self._check_model(name, data)
        import keras

        # Registers the library's model classes with Keras.
        from . import _image_model, _model  # noqa: F401

        local = self.folder / "model.keras"
        local.write_bytes(data)
        try:
            return keras.saving.load_model(local, compile=False, safe_mode=True)
        finally:
            local.unlink()

    def _check_model(self, name, data):
        """Refuse a ``.keras`` member unless it is exactly a model of the library's classes."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                names = set(inner.namelist())
                if not names <= KERAS_MEMBERS or "config.json" not in names:
                    raise _MemberError(
                        f"{self.path!r}: the model member {name} holds {sorted(names)}, not "
                        f"only Keras's {sorted(KERAS_MEMBERS)}; refusing to load it."
                    )
                config = self._parse_json(f"{name}/config.json", inner.read("config.json"))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _MemberError(
                f"{self.path!r}: the model member {name} is not a .keras archive ({exc})."
            ) from None
        known = ", ".join(cls for _, cls in MODEL_CLASSES.values())
        if not isinstance(config, dict):
            raise _MemberError(f"{self.path!r}: {name}/config.json is not a model config.")
        registered = config.get("registered_name")
        if MODEL_CLASSES.get(registered) != (config.get("module"), config.get("class_name")):
            raise _MemberError(
                f"{self.path!r}: the model member {name} names the class "
                f"{config.get('class_name')!r} (registered as {registered!r}, module "
                f"{config.get('module')!r}), which is not one of the library's model classes "
                f"({known}); refusing to load it."
            )
        for nested in _keras_objects([config.get("config"), config.get("build_config")]):
            if (
                nested.get("module") != "keras"
                or nested.get("class_name") not in NESTED_KERAS_CLASSES
                or nested.get("registered_name") is not None
            ):
                raise _MemberError(
                    f"{self.path!r}: the model member {name} names the class "
                    f"{nested.get('class_name')!r} (registered as "
                    f"{nested.get('registered_name')!r}) inside its config, which a model of "
                    f"the library's classes ({known}) does not hold; refusing to load it."
                )


def _keras_objects(value):
    """Every dict with a ``class_name`` inside ``value``."""
    if isinstance(value, dict):
        if "class_name" in value:
            yield value
        for item in value.values():
            yield from _keras_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keras_objects(item)


# NumPy scalar kinds that ``.item()`` turns into a Python value and back without loss.
_SCALAR_KINDS = "biufU"


def _check_dtype(dtype: np.dtype) -> np.dtype:
    if dtype.kind not in _SCALAR_KINDS + "O" or (dtype.kind == "f" and dtype.itemsize > 8):
        raise _Unsupported(f"dtype {dtype} is not supported")
    return dtype


class _Encoder:
    """Values to typed JSON; arrays and Keras models go to the archive when a writer is given."""

    def __init__(self, writer=None, model_class=None):
        self.writer, self.model_class = writer, model_class

    def encode(self, value):
        if value is None or type(value) in (bool, int, str):
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"$": "float", "value": repr(value)}
        if isinstance(value, np.generic):
            _check_dtype(value.dtype)
            if value.dtype.kind == "O":
                raise _Unsupported(f"{type(value).__name__} is not supported")
            return {"$": "numpy", "dtype": value.dtype.str, "value": self.encode(value.item())}
        if type(value) is list:
            return [self.encode(v) for v in value]
        if type(value) is tuple:
            return {"$": "tuple", "items": [self.encode(v) for v in value]}
        if type(value) in (dict, OrderedDict):
            items = [[self.encode(k), self.encode(v)] for k, v in value.items()]
            return {"$": type(value).__name__, "items": items}
        if type(value) is np.ndarray:
            return self._array(value)
        if isinstance(value, np.dtype):
            if np.dtype(value.str) != value:
                raise _Unsupported(f"dtype {value} is not supported")
            return {"$": "dtype", "str": _check_dtype(value).str}
        if isinstance(value, type) and issubclass(value, np.generic):
            return {"$": "scalar_type", "dtype": _check_dtype(np.dtype(value)).str}
        if type(value) is np.random.RandomState:
            name, keys, position, has_gauss, cached = value.get_state()
            state = [name, keys.tolist(), position, has_gauss, cached]
            return {"$": "RandomState", "state": self.encode(state)}
        if type(value).__name__ in SCALERS and type(value) is SCALERS[type(value).__name__]:
            return self._scaler(value)
        if type(value) is ColumnLayout:
            return self._layout(value)
        if self.model_class is not None and isinstance(value, self.model_class):
            return {"$": "keras_model", "member": self.writer.add_model(value)}
        if type(value).__name__ == "ArraysTransformer":
            return self._arrays_transformer(value)
        if "pandas" in sys.modules:
            return self._pandas(value, sys.modules["pandas"])
        raise _Unsupported(f"an object of type {type(value).__name__} is not supported")

    def _array(self, value: np.ndarray):
        _check_dtype(value.dtype)
        if value.dtype.kind == "O":
            items = [self.encode(v) for v in value.ravel().tolist()]
            return {"$": "object_array", "shape": list(value.shape), "items": items}
        if self.writer is None:
            items = [self.encode(v) for v in value.ravel().tolist()]
            return {
                "$": "inline_array",
                "dtype": value.dtype.str,
                "shape": list(value.shape),
                "items": items,
            }
        return {"$": "array", "member": self.writer.add_array(value)}

    def _scaler(self, scaler):
        params = scaler.get_params(deep=False)
        attributes = {k: v for k, v in vars(scaler).items() if k not in params}
        return {
            "$": "scaler",
            "class": type(scaler).__name__,
            "params": self.encode(params),
            "attributes": self.encode(attributes),
        }

    def _layout(self, layout: ColumnLayout):
        encoder = None
        if layout.encoder is not None:
            params = layout.encoder.get_params(deep=False)
            if params["categories"] != "auto":
                raise _Unsupported("a OneHotEncoder with given categories is not supported")
            del params["categories"]
            encoder = {"params": self.encode(params), "categories": self.encode(layout.categories)}
        return {
            "$": "ColumnLayout",
            "numeric": self.encode(layout.numeric),
            "categorical": self.encode(layout.categorical),
            "whole": self.encode(layout.whole),
            "numeric_dtypes": [self.encode(np.dtype(d)) for d in layout.numeric_dtypes],
            "encoder": encoder,
        }

    def _arrays_transformer(self, transformer):
        from imblearn.utils._validation import ArraysTransformer

        if type(transformer) is not ArraysTransformer:
            raise _Unsupported(f"an object of type {type(transformer).__name__} is not supported")
        expected = {"type", "columns", "name", "dtypes"}
        props = vars(transformer)
        if set(props) != {"x_props", "y_props"} or any(set(props[k]) != expected for k in props):
            raise _Unsupported("this version of imbalanced-learn's ArraysTransformer")
        return {
            "$": "ArraysTransformer",
            "x_props": self.encode(props["x_props"]),
            "y_props": self.encode(props["y_props"]),
        }

    def _pandas(self, value, pd):
        if isinstance(value, pd.CategoricalDtype):
            return {
                "$": "CategoricalDtype",
                "categories": self.encode(value.categories),
                "ordered": bool(value.ordered),
            }
        if isinstance(value, pd.StringDtype):
            na_value = getattr(value, "na_value", pd.NA)
            return {
                "$": "StringDtype",
                "storage": value.storage,
                "na_value": "NA" if na_value is pd.NA else "nan",
            }
        if isinstance(value, pd.api.extensions.ExtensionDtype):
            name = str(value)
            try:
                same = pd.api.types.pandas_dtype(name) == value
            except TypeError:
                same = False
            if not same:
                raise _Unsupported(f"the pandas dtype {value!r} is not supported")
            return {"$": "pandas_dtype", "name": name}
        if type(value) is pd.RangeIndex:
            return {
                "$": "RangeIndex",
                "range": [value.start, value.stop, value.step],
                "name": self.encode(value.name),
            }
        if isinstance(value, pd.Index) and not isinstance(value, pd.MultiIndex):
            return {
                "$": "Index",
                "dtype": self.encode(value.dtype),
                "items": [self.encode(v) for v in value.tolist()],
                "name": self.encode(value.name),
            }
        if type(value) is pd.Series:
            return {
                "$": "Series",
                "index": self.encode(value.index),
                "dtype": self.encode(value.dtype),
                "items": [self.encode(v) for v in value.tolist()],
                "name": self.encode(value.name),
            }
        raise _Unsupported(f"an object of type {type(value).__name__} is not supported")


class _Decoder:
    """Typed JSON back to values; array and model references are read from the archive."""

    def __init__(self, reader: _Reader):
        self.reader = reader

    def decode(self, value):
        if value is None or type(value) in (bool, int, float, str):
            return value
        if type(value) is list:
            return [self.decode(v) for v in value]
        if type(value) is not dict or not isinstance(value.get("$"), str):
            raise ValueError(f"unexpected value {value!r}")
        method = getattr(self, "_" + value["$"], None)
        if value["$"] not in _TAGS or method is None:
            raise ValueError(f"unknown tag {value['$']!r}")
        return method(value)

    def _float(self, value):
        return float(value["value"])

    def _numpy(self, value):
        dtype = _check_dtype(np.dtype(value["dtype"]))
        if dtype.kind not in _SCALAR_KINDS:
            raise ValueError(f"unexpected scalar dtype {dtype}")
        return dtype.type(self.decode(value["value"]))

    def _tuple(self, value):
        return tuple(self.decode(v) for v in value["items"])

    def _dict(self, value):
        return {self._key(k): self.decode(v) for k, v in value["items"]}

    def _OrderedDict(self, value):
        return OrderedDict((self._key(k), self.decode(v)) for k, v in value["items"])

    def _key(self, key):
        key = self.decode(key)
        hash(key)
        return key

    def _dtype(self, value):
        return _check_dtype(np.dtype(value["str"]))

    def _scalar_type(self, value):
        return _check_dtype(np.dtype(value["dtype"])).type

    def _RandomState(self, value):
        name, keys, position, has_gauss, cached = self.decode(value["state"])
        random_state = np.random.RandomState()
        random_state.set_state((name, np.array(keys, np.uint32), position, has_gauss, cached))
        return random_state

    def _array(self, value):
        return self.reader.array(value["member"])

    def _inline_array(self, value):
        dtype = _check_dtype(np.dtype(value["dtype"]))
        items = [self.decode(v) for v in value["items"]]
        return np.array(items, dtype=dtype).reshape(value["shape"])

    def _object_array(self, value):
        items = [self.decode(v) for v in value["items"]]
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out.reshape(value["shape"])

    def _keras_model(self, value):
        return self.reader.model(value["member"])

    def _scaler(self, value):
        cls = SCALERS[value["class"]]
        scaler = cls(**self.decode(value["params"]))
        for name, attribute in self.decode(value["attributes"]).items():
            if not (isinstance(name, str) and _FITTED_NAME.fullmatch(name)):
                raise ValueError(f"unexpected scaler attribute {name!r}")
            setattr(scaler, name, attribute)
        return scaler

    def _ColumnLayout(self, value):
        encoder = None
        if value["encoder"] is not None:
            categories = self.decode(value["encoder"]["categories"])
            encoder = OneHotEncoder(
                **self.decode(value["encoder"]["params"]), categories=categories
            )
            encoder.fit(_category_rows(categories))
        return ColumnLayout(
            self.decode(value["numeric"]),
            self.decode(value["categorical"]),
            encoder,
            self.decode(value["whole"]),
            tuple(self.decode(d) for d in value["numeric_dtypes"]),
        )

    def _ArraysTransformer(self, value):
        from imblearn.utils._validation import ArraysTransformer

        transformer = ArraysTransformer.__new__(ArraysTransformer)
        for side in ("x_props", "y_props"):
            props = self.decode(value[side])
            if set(props) != {"type", "columns", "name", "dtypes"}:
                raise ValueError(f"unexpected {side} {sorted(props)}")
            setattr(transformer, side, props)
        return transformer

    def _CategoricalDtype(self, value):
        import pandas as pd

        return pd.CategoricalDtype(self.decode(value["categories"]), ordered=value["ordered"])

    def _StringDtype(self, value):
        import pandas as pd

        if value["na_value"] == "NA":
            return pd.StringDtype(value["storage"])
        return pd.StringDtype(value["storage"], na_value=np.nan)

    def _pandas_dtype(self, value):
        import pandas as pd

        return pd.api.types.pandas_dtype(value["name"])

    def _RangeIndex(self, value):
        import pandas as pd

        start, stop, step = (int(v) for v in value["range"])
        return pd.RangeIndex(start, stop, step, name=self.decode(value["name"]))

    def _Index(self, value):
        import pandas as pd

        items = [self.decode(v) for v in value["items"]]
        return pd.Index(items, dtype=self.decode(value["dtype"]), name=self.decode(value["name"]))

    def _Series(self, value):
        import pandas as pd

        items = [self.decode(v) for v in value["items"]]
        return pd.Series(
            items,
            index=self.decode(value["index"]),
            dtype=self.decode(value["dtype"]),
            name=self.decode(value["name"]),
        )


_TAGS = {
    "float",
    "numpy",
    "tuple",
    "dict",
    "OrderedDict",
    "dtype",
    "scalar_type",
    "RandomState",
    "array",
    "inline_array",
    "object_array",
    "keras_model",
    "scaler",
    "ColumnLayout",
    "ArraysTransformer",
    "CategoricalDtype",
    "StringDtype",
    "pandas_dtype",
    "RangeIndex",
    "Index",
    "Series",
}


def _category_rows(categories) -> np.ndarray:
    """Rows that hold every category of every column, for refitting a ``OneHotEncoder`` given
    its categories: column ``j`` cycles through ``categories[j]``."""
    n_rows = max(len(c) for c in categories)
    dtypes = {c.dtype for c in categories}
    rows = np.empty((n_rows, len(categories)), dtype=dtypes.pop() if len(dtypes) == 1 else object)
    for j, column in enumerate(categories):
        rows[:, j] = column[np.arange(n_rows) % len(column)]
    return rows
