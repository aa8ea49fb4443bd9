"""The zip archive of a saved sampler: its members, their SHA-256 hashes and its manifest.

``Writer`` adds JSON, ``.npy`` and ``.keras`` members and records each one's SHA-256;
``Reader`` refuses, with a ``MemberError`` (a ``ValueError``) that names the member, an archive
with a member twice, a missing or unexpected member, a member whose SHA-256 differs from the
manifest's, an unknown or newer format version, and a Keras model whose ``config.json`` names a
class other than the library's own models (checked before Keras reads it; Keras then loads it
with ``safe_mode=True``). Arrays are read with ``allow_pickle=False``. Files written by another
library or Keras version load with a warning.
"""

import hashlib
import io
import json
import math
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .._models.size import MAX_MODEL_WEIGHTS
from .model_config import ConfigError, check_model_config, weights_bytes

FORMAT = "vae_oversampler.VAEOverSampler"
# Format 3 (issue 31) is format 2 whose tabular models name their ``output_variance``
# (``"sigmoid"``); a model of format 2 or 1 names none and means ``"clip"``. Format 4 is format
# 3 whose column layout holds the grids of its numeric columns (``_data.grid``), which older
# readers would ignore and so sample other rows; a layout of format 3 or older has none.
FORMAT_VERSION = 4
MANIFEST = "manifest.json"

# The Keras model classes a file may hold: registered name -> (class name, the modules it is
# recorded under: where it lives now, and where files of format 1 recorded it).
MODEL_CLASSES = {
    "vae_oversampler>TabularVAE": (
        "TabularVAE",
        {"vae_oversampler._models.tabular", "vae_oversampler._model"},
    ),
    "vae_oversampler>ImageVAE": (
        "ImageVAE",
        {"vae_oversampler._models.image", "vae_oversampler._image_model"},
    ),
}
KERAS_MEMBERS = {"config.json", "metadata.json", "model.weights.h5"}

_CHUNK = 1 << 20
# The largest JSON member, and the largest .npy header, a file may hold; a model member is
# bounded by the weights its configuration implies (see ``model_config``).
MAX_JSON_BYTES = 64 << 20
MAX_NPY_HEADER = 1 << 16
# Array dtypes a file may hold: plain numbers, bools and fixed-width strings.
ARRAY_KINDS = "biufU"


def library_version() -> str:
    from .._version import __version__

    return __version__


class MemberError(ValueError):
    """A refused file, with the member at fault in its message."""


class _HashingWriter:
    """A write-only file that passes bytes on and hashes them."""

    def __init__(self, raw):
        self.raw, self.sha256 = raw, hashlib.sha256()

    def write(self, data):
        self.sha256.update(data)
        return self.raw.write(data)


class Writer:
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


class Reader:
    """Checks an archive against its manifest and hands out verified members."""

    def __init__(self, archive: zipfile.ZipFile, path: str, folder: Path):
        self.archive, self.path, self.folder = archive, path, folder
        try:
            names = archive.namelist()
            if len(set(names)) != len(names):
                raise MemberError(f"{path!r} holds a member twice; refusing to load it.")
            if MANIFEST not in names:
                raise MemberError(
                    f"{path!r} is not a vae_oversampler file: its member {MANIFEST} is missing."
                )
            manifest = self._parse_json(MANIFEST, archive.read(MANIFEST))
            self._check_manifest(manifest)
            self.hashes = manifest["members"]
            self.format_version = manifest["format_version"]
            for name in self.hashes:
                if name not in names:
                    raise MemberError(
                        f"{path!r} lacks the member {name}, which its manifest lists; the "
                        "file is incomplete."
                    )
            for name in names:
                if name != MANIFEST and name not in self.hashes:
                    raise MemberError(
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
            raise MemberError(
                f"{self.path!r} is not a vae_oversampler file: its {MANIFEST} does not name "
                f"the format {FORMAT!r}."
            )
        version = manifest.get("format_version")
        if type(version) is not int or version < 1:
            raise MemberError(
                f"{self.path!r} has an unknown format version {version!r} in its {MANIFEST}; "
                f"this library reads format version {FORMAT_VERSION}."
            )
        if version > FORMAT_VERSION:
            raise MemberError(
                f"{self.path!r} has format version {version} (written by vae_oversampler "
                f"{manifest.get('library_version')}), newer than the version "
                f"{FORMAT_VERSION} that vae_oversampler {library_version()} reads; upgrade "
                "vae_oversampler to load it."
            )
        members = manifest.get("members")
        if not isinstance(members, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in members.items()
        ):
            raise MemberError(f"{self.path!r} has a malformed member list in its {MANIFEST}.")

    def _warn_versions(self, manifest):
        import keras

        written, ours = manifest.get("library_version"), library_version()
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
            raise MemberError(
                f"{self.path!r}: the SHA-256 of the member {name} does not match its manifest; "
                "the file was altered or damaged. Refusing to load it."
            )

    def _size(self, name) -> int:
        """The declared (uncompressed) size of member ``name``, which it cannot exceed."""
        if name not in self.hashes:
            raise MemberError(f"{self.path!r} refers to the member {name}, which it lacks.")
        return self.archive.getinfo(name).file_size

    def read(self, name, limit: int | None = None) -> bytes:
        """The bytes of member ``name``, checked against the manifest; a member declared
        larger than ``limit`` bytes is refused before it is read."""
        size = self._size(name)
        if limit is not None and size > limit:
            raise MemberError(
                f"{self.path!r}: the member {name} declares {size:,} bytes, more than the "
                f"{limit:,} such a member can need; refusing to read it."
            )
        try:
            data = self.archive.read(name)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise MemberError(f"{self.path!r}: the member {name} is corrupt ({exc}).") from None
        self._verify(name, hashlib.sha256(data).hexdigest())
        return data

    def _parse_json(self, name, data):
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise MemberError(
                f"{self.path!r}: the member {name} is not valid JSON ({exc})."
            ) from None

    def json(self, name):
        return self._parse_json(name, self.read(name, MAX_JSON_BYTES))

    def array(self, name) -> np.ndarray:
        """The array of member ``name``. Its header is read and checked first (a plain dtype,
        and a shape whose bytes are exactly the member's declared size), so nothing larger
        than the member is ever allocated; the data is then read straight into the array."""
        if not name.startswith("arrays/"):
            raise MemberError(f"{self.path!r}: the member {name} is not an array member.")
        size = self._size(name)
        try:
            with self.archive.open(name) as member:
                version = np.lib.format.read_magic(member)
                read_header = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )
                shape, _fortran, dtype = read_header(member, max_header_size=MAX_NPY_HEADER)
                if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.shape:
                    raise ValueError(f"dtype {dtype} is not a plain number, bool or string")
                expected = member.tell() + math.prod(shape) * dtype.itemsize
                if expected != size:
                    raise ValueError(
                        f"its header claims shape {shape} of {dtype} ({expected:,} bytes in "
                        f"all), but the member declares {size:,} bytes"
                    )
            with self.archive.open(name) as member:
                array = np.load(member, allow_pickle=False)
        except MemberError:
            raise
        except zipfile.BadZipFile as exc:
            raise MemberError(f"{self.path!r}: the member {name} is corrupt ({exc}).") from None
        except Exception as exc:  # NumPy's header parser raises many kinds (SyntaxError too)
            raise MemberError(
                f"{self.path!r}: the member {name} is not a plain NumPy array "
                f"({type(exc).__name__}: {exc})."
            ) from None
        return array

    def model(self, name):
        if not name.startswith("models/"):
            raise MemberError(f"{self.path!r}: the member {name} is not a model member.")
        data = self.read(name, weights_bytes(MAX_MODEL_WEIGHTS) + MAX_JSON_BYTES)
        self._check_model(name, data)
        import keras

        # Registers the library's model classes with Keras.
        from .._models import image, tabular

        local = self.folder / "model.keras"
        local.write_bytes(data)
        # Keras may change a model class as it builds one (a Functional model rewrites the
        # class's bases); whatever a file does, the classes come out as they went in.
        classes = (tabular.VariationalAutoencoder, tabular.TabularVAE, image.ImageVAE)
        bases = [cls.__bases__ for cls in classes]
        try:
            return keras.saving.load_model(local, compile=False, safe_mode=True)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError, OSError) as exc:
            raise MemberError(
                f"{self.path!r}: Keras could not load the model member {name} ({exc})."
            ) from None
        finally:
            local.unlink()
            for cls, original in zip(classes, bases, strict=True):
                if cls.__bases__ != original:
                    cls.__bases__ = original

    def _check_model(self, name, data):
        """Refuse a ``.keras`` member unless it is exactly a model of the library's classes."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                names = set(inner.namelist())
                if not names <= KERAS_MEMBERS or "config.json" not in names:
                    raise MemberError(
                        f"{self.path!r}: the model member {name} holds {sorted(names)}, not "
                        f"only Keras's {sorted(KERAS_MEMBERS)}; refusing to load it."
                    )
                sizes = {info.filename: info.file_size for info in inner.infolist()}
                if sizes["config.json"] > MAX_JSON_BYTES:
                    raise MemberError(f"{self.path!r}: {name}/config.json is too large.")
                config = self._parse_json(f"{name}/config.json", inner.read("config.json"))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise MemberError(
                f"{self.path!r}: the model member {name} is not a .keras archive ({exc})."
            ) from None
        known = ", ".join(cls for cls, _ in MODEL_CLASSES.values())
        if not isinstance(config, dict):
            raise MemberError(f"{self.path!r}: {name}/config.json is not a model config.")
        registered = config.get("registered_name")
        class_name, modules = MODEL_CLASSES.get(registered, (None, set()))
        module = config.get("module")
        if config.get("class_name") != class_name or not (
            isinstance(module, str) and module in modules
        ):
            raise MemberError(
                f"{self.path!r}: the model member {name} names the class "
                f"{config.get('class_name')!r} (registered as {registered!r}, module "
                f"{config.get('module')!r}), which is not one of the library's model classes "
                f"({known}); refusing to load it."
            )
        try:
            weights = check_model_config(config, class_name)
        except ConfigError as exc:
            raise MemberError(
                f"{self.path!r}: the model member {name} holds a configuration that the "
                f"library does not write ({exc}); refusing to load it."
            ) from None
        if sizes.get("model.weights.h5", 0) > weights_bytes(weights):
            raise MemberError(
                f"{self.path!r}: the model member {name} holds weights of "
                f"{sizes['model.weights.h5']:,} bytes, more than its configuration needs; "
                "refusing to load it."
            )
