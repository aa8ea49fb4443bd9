"""The exact model configurations the library writes, checked before Keras reads one.

A ``.keras`` member's ``config.json`` must be what ``TabularVAE.get_config`` or
``ImageVAE.get_config`` writes, key for key, with every value of the right type and in a
sane range (sizes within what the library builds for one class). Anything else (an unknown
key such as ``inputs``, a nested Keras object other than a dtype policy, a layer of 12,000
units) is refused before Keras sees it: Keras's ``Model.__init__`` acts on some keys before
any check of ours could run, and would change the library's model classes for the rest of
the process (``inject_functional_model_class``).
"""

import math
from numbers import Real

from .._models.size import MAX_MODEL_WEIGHTS, model_weights

# Keys of the top level of a config.json, and of each model class's own config.
TOP_KEYS = {"module", "class_name", "config", "registered_name", "build_config", "compile_config"}
BASE_KEYS = {"name", "trainable", "dtype", "latent_dim", "beta", "seed"}
CLASS_KEYS = {
    "TabularVAE": BASE_KEYS
    | {"n_features", "hidden_layer_sizes", "categorical_sizes", "missing_columns"},
    "ImageVAE": BASE_KEYS | {"image_shape"},
}
# Keys that a config may lack: those of format 2 and older do not name ``output_variance``
# (and mean "clip", ``TabularVAE``'s default).
OPTIONAL_KEYS = {"TabularVAE": {"output_variance"}, "ImageVAE": set()}
OUTPUT_VARIANCES = {"sigmoid", "clip"}
DTYPE_POLICIES = {"DTypePolicy", "FloatDTypePolicy"}
DTYPE_NAMES = {"float32", "float16", "bfloat16", "float64", "mixed_float16", "mixed_bfloat16"}
# Bounds no model of the library comes near: columns of a row, and units of a layer.
MAX_FEATURES = 2**24
MAX_LAYERS = 16


class ConfigError(ValueError):
    """A model configuration that the library would not have written."""


def _int(value, name, low, high) -> int:
    if type(value) is not int or not low <= value <= high:
        raise ConfigError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return value


def _ints(value, name, low, high, max_len) -> list:
    if type(value) is not list or len(value) > max_len:
        raise ConfigError(f"{name} must be a list of at most {max_len} integers")
    return [_int(v, f"{name}[{i}]", low, high) for i, v in enumerate(value)]


def _dtype_policy(value) -> None:
    if (
        type(value) is not dict
        or set(value) != {"module", "class_name", "config", "registered_name"}
        or value["module"] != "keras"
        or value["class_name"] not in DTYPE_POLICIES
        or value["registered_name"] is not None
        or type(value["config"]) is not dict
        or set(value["config"]) != {"name"}
        or value["config"]["name"] not in DTYPE_NAMES
    ):
        raise ConfigError(f"dtype must be a Keras float dtype policy, got {value!r}")


def check_model_config(config, class_name: str) -> int:
    """Raise a :class:`ConfigError` unless ``config`` (a parsed ``config.json`` that names
    ``class_name``) holds exactly the keys, types and sane values the library writes; return
    about how many weights the model has."""
    if type(config) is not dict or set(config) - TOP_KEYS or not {"config"} <= set(config):
        raise ConfigError(f"the config's keys must be among {sorted(TOP_KEYS)}")
    if config.get("compile_config") not in (None, {}):
        raise ConfigError("the model must not carry a compile config")
    inner = config["config"]
    keys, optional = CLASS_KEYS[class_name], OPTIONAL_KEYS[class_name]
    if type(inner) is not dict or not keys <= set(inner) <= keys | optional:
        found = sorted(inner) if type(inner) is dict else inner
        raise ConfigError(
            f"a {class_name} config has the keys {sorted(keys)} (and optionally "
            f"{sorted(optional)}), not {found}"
        )
    if inner.get("output_variance", "clip") not in OUTPUT_VARIANCES:
        raise ConfigError(f"output_variance must be one of {sorted(OUTPUT_VARIANCES)}")
    if type(inner["name"]) is not str or len(inner["name"]) > 256:
        raise ConfigError("name must be a short string")
    if type(inner["trainable"]) is not bool:
        raise ConfigError("trainable must be true or false")
    _dtype_policy(inner["dtype"])
    latent_dim = _int(inner["latent_dim"], "latent_dim", 1, MAX_FEATURES)
    _int(inner["seed"], "seed", 0, 2**32 - 1)
    beta = inner["beta"]
    if type(beta) not in (int, float) or not isinstance(beta, Real) or not 0 <= beta < math.inf:
        raise ConfigError(f"beta must be a finite number >= 0, got {beta!r}")
    if class_name == "ImageVAE":
        shape = _ints(inner["image_shape"], "image_shape", 1, MAX_FEATURES, 3)
        if len(shape) != 3 or math.prod(shape) > MAX_FEATURES:
            raise ConfigError(f"image_shape must be 3 sizes of a sane image, got {shape}")
        n_features, weights = math.prod(shape), model_weights(0, latent_dim, (), tuple(shape))
    else:
        n_features = _int(inner["n_features"], "n_features", 1, MAX_FEATURES)
        hidden = _ints(inner["hidden_layer_sizes"], "hidden_layer_sizes", 1, 2**20, MAX_LAYERS)
        sizes = _ints(inner["categorical_sizes"], "categorical_sizes", 1, MAX_FEATURES, 2**20)
        missing = _ints(inner["missing_columns"], "missing_columns", -1, MAX_FEATURES, 2**20)
        if not hidden or sum(sizes) + len(missing) > n_features:
            raise ConfigError("the layer and column sizes do not fit together")
        if any(column >= n_features - sum(sizes) - len(missing) for column in missing):
            raise ConfigError("missing_columns names a column beyond the numeric columns")
        weights = model_weights(n_features, latent_dim, tuple(hidden))
    if weights > MAX_MODEL_WEIGHTS:
        raise ConfigError(
            f"the model would have about {weights / 1e6:,.0f} million weights, more than the "
            f"library builds ({MAX_MODEL_WEIGHTS / 1e6:,.0f} million)"
        )
    build = config.get("build_config")
    if build is not None and build != {"input_shape": [None, n_features]}:
        raise ConfigError(f"build_config must be {{'input_shape': [None, {n_features}]}}")
    return weights


def weights_bytes(weights: int) -> int:
    """The most bytes a ``model.weights.h5`` of a model of about ``weights`` weights needs:
    float32 weights, an optimiser's two moments and a pooled model's step, convolutions and
    HDF5's own structure."""
    return 16 * weights + (16 << 20)
