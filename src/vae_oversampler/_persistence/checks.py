"""Sense checks of a loaded sampler's fitted state: what a fit could have produced.

A file whose hashes match its manifest may still hold values no fit writes (a forged NaN
scaler mean, an array of the wrong shape, an object dtype for numeric rows). Each would fail
later, in ``sample``, with an error that points elsewhere; :func:`check_fitted` refuses them at
``load`` with a ``ValueError`` that names the attribute.
"""

import numpy as np

from .._data.codec import ClassCodec, TableCodec
from .._data.columns import ColumnLayout
from .._generation.generator import ClassGenerator


def _check(condition, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _array(value, name, shape=None, kinds="f", finite=True) -> np.ndarray:
    _check(type(value) is np.ndarray, f"{name} is not an array")
    _check(value.dtype.kind in kinds, f"{name} has dtype {value.dtype}")
    if shape is not None:
        ok = value.ndim == len(shape) and all(
            s is None or s == v for s, v in zip(shape, value.shape, strict=True)
        )
        _check(ok, f"{name} has shape {value.shape}, expected {shape}")
    if finite and value.dtype.kind == "f":
        _check(np.isfinite(value).all(), f"{name} holds values that are not finite")
    return value


def check_layout(layout: ColumnLayout, n_features: int) -> None:
    """The layout covers the ``n_features`` columns once each, with a flag and a dtype per
    numeric column."""
    _check(type(layout) is ColumnLayout, "_codec.layout is not a column layout")
    numeric = _array(layout.numeric, "layout.numeric", (None,), "iu")
    categorical = _array(layout.categorical, "layout.categorical", (None,), "iu")
    columns = np.sort(np.concatenate([numeric, categorical]))
    _check(
        np.array_equal(columns, np.arange(n_features)),
        f"the layout's columns are not the {n_features} columns of X",
    )
    _array(layout.whole, "layout.whole", (len(numeric),), "b")
    if layout.grid is not None:
        _check(
            type(layout.grid) is tuple and len(layout.grid) == len(numeric),
            "layout.grid does not have one entry per numeric column",
        )
        for levels in layout.grid:
            _array(levels, "layout.grid", (None,), "f")
            _check(
                len(levels) != 1 and (np.diff(levels) > 0).all(),
                "layout.grid holds levels that are not increasing",
            )
    _check(len(layout.numeric_dtypes) == len(numeric), "layout.numeric_dtypes has a wrong length")
    for dtype in layout.numeric_dtypes:
        _check(np.dtype(dtype).kind in "biufO", f"numeric column dtype {dtype}")
    _check(len(layout.categories) == len(categorical), "the layout's categories do not match")


def check_codec(codec: TableCodec, n_features: int) -> None:
    """X's dtype is one a fit produces for its columns, and images have a pixel scale."""
    _check(type(codec) is TableCodec, "_codec is not a table codec")
    check_layout(codec.layout, n_features)
    kind = np.dtype(codec.dtype).kind
    _check(kind in "biufO", f"_codec.dtype is {codec.dtype}")
    if kind == "O":
        # Object rows come from categorical columns, or integers that float64 would round.
        holders = codec.layout.categorical.size or any(
            np.dtype(d).kind in "iu" for d in codec.layout.numeric_dtypes
        )
        _check(holders, "_codec.dtype is object for a table of numbers")
    if codec.image_shape is not None:
        _check(codec.pixels is not None, "an image codec without a pixel scale")
        _check(float(codec.pixels.scale) in (1.0, 255.0), "the pixel scale is not 1 or 255")


def _check_class_codec(codec: ClassCodec, layout, model, label) -> None:
    name = f"the codec of class {label!r}"
    _check(type(codec) is ClassCodec and codec.label == label, f"{name} is not its own")
    n_numeric = len(layout.numeric)
    scaler = codec.scaler
    for attribute in ("mean_", "scale_"):
        if hasattr(scaler, attribute) and getattr(scaler, attribute) is not None:
            _array(getattr(scaler, attribute), f"{name}'s scaler {attribute}", (n_numeric,))
    if hasattr(scaler, "scale_") and scaler.scale_ is not None:
        _check((scaler.scale_ > 0).all(), f"{name}'s scaler has a scale that is not positive")
    _array(codec.low, f"{name}'s low", (n_numeric,), finite=False)
    _array(codec.high, f"{name}'s high", (n_numeric,), finite=False)
    if layout.categorical.size:
        _array(codec.present, f"{name}'s categories", (sum(layout.group_sizes),), "b")
    missing_columns = ()
    if codec.missing is not None:
        rates = _array(codec.missing.rates, f"{name}'s missing rates", (None,))
        _check(((rates >= 0) & (rates <= 1)).all(), f"{name}'s missing rates are not in [0, 1]")
        missing_columns = tuple(codec.missing.model_columns)
        _check(len(missing_columns) == len(rates), f"{name}'s missing columns do not match")
    _check(
        tuple(getattr(model, "missing_columns", ())) == missing_columns,
        f"the VAE of class {label!r} does not match its missing columns",
    )


def check_generator(generator: ClassGenerator, codec: TableCodec, label) -> None:
    """One class's generator: its VAE fits the layout, and its arrays fit the VAE and each
    other (one row per class row)."""
    _check(type(generator) is ClassGenerator, f"the generator of class {label!r} is not one")
    model, layout = generator.model, codec.layout
    name = f"the generator of class {label!r}"
    if codec.image_shape is None:
        _check(model.n_numeric == len(layout.numeric), f"{name}'s VAE has the wrong columns")
        _check(
            tuple(model.categorical_sizes) == tuple(layout.group_sizes),
            f"{name}'s VAE has the wrong categories",
        )
    else:
        _check(tuple(model.image_shape) == codec.image_shape, f"{name}'s VAE has another shape")
    _check_class_codec(generator.codec, layout, model, label)
    _check(type(generator.encodings) is tuple and len(generator.encodings) == 2, f"{name}")
    z_mean = _array(generator.encodings[0], f"{name}'s z_mean", (None, model.latent_dim))
    n_rows = len(z_mean)
    _check(n_rows >= 1, f"{name} has no encoded row")
    _array(generator.encodings[1], f"{name}'s z_log_var", (n_rows, model.latent_dim))
    _array(generator.residuals, f"{name}'s residuals", (n_rows, model.n_numeric))
    if generator.holes is not None:
        width = len(model.missing_columns)
        holes = generator.holes
        _array(holes.holes, f"{name}'s holes", (n_rows, width), "b")
        _array(holes.probabilities, f"{name}'s hole probabilities", (n_rows, width))
        _check(
            holes.seed is None or (type(holes.seed) is int and 0 <= holes.seed < 2**32),
            f"{name}'s hole calibration seed is not a seed",
        )
        _check(type(holes.offsets) is dict, f"{name}'s hole offsets are not a dict")
        for key, offsets in holes.offsets.items():
            _check(
                type(key) is tuple
                and len(key) in (2, 3)
                and key[0] in ("posterior", "prior", "interpolate")
                and type(key[1]) is bool
                and (len(key) == 2 or (type(key[2]) is float and 0 < key[2] < np.inf)),
                f"{name}'s hole offsets have an unknown key {key!r}",
            )
            _array(offsets, f"{name}'s hole offsets", (width,))
    else:
        _check(generator.codec.missing is None, f"{name} has missing columns but no holes")
    if generator.seen is not None:
        seen = _array(generator.seen, f"{name}'s row keys", (None,), "u")
        _check(bool(np.all(seen[1:] > seen[:-1])), f"{name}'s row keys are not sorted")
    _check(isinstance(generator.history, dict), f"{name}'s history is not a dict")


def check_fitted(fitted: dict, n_features) -> None:
    """Check a loaded sampler's fitted attributes: every one a fit sets is there, of its
    type, and the codec and generators fit each other."""
    from imblearn.utils._validation import ArraysTransformer

    required = {"sampling_strategy_", "categorical_features_", "categories_", "n_features_in_"}
    required |= {"_codec", "_generators", "_x_sparse_format", "_output_container"}
    _check(required <= set(fitted), f"fitted attributes {sorted(required - set(fitted))} missing")
    _check(type(n_features) is int and n_features >= 1, "n_features_in_ is not a count")
    _check(
        type(fitted["_output_container"]) is ArraysTransformer,
        "_output_container is not imbalanced-learn's ArraysTransformer",
    )
    _check(fitted["_x_sparse_format"] in (None, "csr", "csc"), "_x_sparse_format is unknown")
    if "feature_names_in_" in fitted:
        _array(fitted["feature_names_in_"], "feature_names_in_", (n_features,), "O")
    codec = fitted["_codec"]
    check_codec(codec, n_features)
    categorical = _array(fitted["categorical_features_"], "categorical_features_", (None,), "iu")
    _check(
        np.array_equal(categorical, codec.layout.categorical),
        "categorical_features_ does not match the layout",
    )
    generators = fitted["_generators"]
    _check(type(generators) is dict and generators, "_generators is not a dict of generators")
    for label, generator in generators.items():
        check_generator(generator, codec, label)
    strategy = fitted.get("sampling_strategy_", {})
    _check(
        isinstance(strategy, dict) and set(generators) <= set(strategy),
        "the generators' classes are not classes of sampling_strategy_",
    )
