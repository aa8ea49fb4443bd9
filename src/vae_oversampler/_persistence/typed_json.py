"""Typed JSON: the Python, NumPy, scikit-learn and pandas values of a fitted sampler, as JSON.

A JSON object is always ``{"$": tag, ...}`` with a tag from a fixed list (a NumPy scalar with
its dtype, a tuple, a dict with any keys, an array, a dtype, a scaler with its fitted
attributes, the column layout, the pandas dtypes and columns that imbalanced-learn's
``ArraysTransformer`` restores), so labels such as ``np.int64(1)`` or ``"a"``, and categories of
any of those types, come back as they were. Anything else (a callable, an arbitrary object) is
refused with ``Unsupported``. Arrays and Keras models become members of the archive, through
the ``Writer`` and ``Reader`` of :mod:`._archive`.
"""

import dataclasses
import math
import re
import sys
from collections import OrderedDict

import numpy as np
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from .._data.codec import ClassCodec, TableCodec
from .._data.columns import ColumnLayout
from .._data.missing import NA, NAN, NONE, ClassMissing
from .._data.pixels import PixelScaler
from .._generation.generator import ClassGenerator, HoleModel
from .archive import Reader

# The scalers a file may rebuild, by class name; they are rebuilt from their parameters and
# fitted attributes.
SCALERS = {cls.__name__: cls for cls in (StandardScaler, FunctionTransformer, PixelScaler)}

# The library's own records, stored field by field. A field marked ``shared`` (a generator's
# ``table``, the codec every class shares) is not stored with the record: the file holds it
# once, and loading links it back.
RECORDS = {
    cls.__name__: cls for cls in (TableCodec, ClassCodec, ClassMissing, HoleModel, ClassGenerator)
}

# What a scaler's fitted attribute is named: ``mean_``, ``n_features_in_``.
_FITTED_NAME = re.compile(r"[a-z][a-z0-9_]*_")


class Unsupported(ValueError):
    """A value that typed JSON cannot hold."""


# Typed JSON nests no deeper than this (a fitted sampler's state needs about 10 levels).
MAX_DEPTH = 64


# NumPy scalar kinds that ``.item()`` turns into a Python value and back without loss.
_SCALAR_KINDS = "biufU"


def _check_dtype(dtype: np.dtype) -> np.dtype:
    if dtype.kind not in _SCALAR_KINDS + "O" or (dtype.kind == "f" and dtype.itemsize > 8):
        raise Unsupported(f"dtype {dtype} is not supported")
    return dtype


class Encoder:
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
                raise Unsupported(f"{type(value).__name__} is not supported")
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
                raise Unsupported(f"dtype {value} is not supported")
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
        if type(value).__name__ in RECORDS and type(value) is RECORDS[type(value).__name__]:
            fields = {
                f.name: self.encode(getattr(value, f.name)) for f in _stored_fields(type(value))
            }
            return {"$": "record", "class": type(value).__name__, "fields": fields}
        if self.model_class is not None and isinstance(value, self.model_class):
            return {"$": "keras_model", "member": self.writer.add_model(value)}
        if type(value).__name__ == "ArraysTransformer":
            return self._arrays_transformer(value)
        if "pandas" in sys.modules:
            return self._pandas(value, sys.modules["pandas"])
        raise Unsupported(f"an object of type {type(value).__name__} is not supported")

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
                raise Unsupported("a OneHotEncoder with given categories is not supported")
            del params["categories"]
            encoder = {"params": self.encode(params), "categories": self.encode(layout.categories)}
        return {
            "$": "ColumnLayout",
            "numeric": self.encode(layout.numeric),
            "categorical": self.encode(layout.categorical),
            "whole": self.encode(layout.whole),
            "numeric_dtypes": [self.encode(np.dtype(d)) for d in layout.numeric_dtypes],
            "encoder": encoder,
            "missing": [[int(column), str(kind)] for column, kind in layout.missing],
            "grid": None if layout.grid is None else self._grid(layout.grid),
        }

    def _grid(self, grid: tuple) -> dict:
        # One array of every column's levels and one of their counts, not an array a column.
        levels = np.concatenate([np.zeros(0), *grid]).astype(np.float64)
        sizes = np.array([len(column) for column in grid], dtype=np.int64)
        return {"levels": self.encode(levels), "sizes": self.encode(sizes)}

    def _arrays_transformer(self, transformer):
        from imblearn.utils._validation import ArraysTransformer

        if type(transformer) is not ArraysTransformer:
            raise Unsupported(f"an object of type {type(transformer).__name__} is not supported")
        expected = {"type", "columns", "name", "dtypes"}
        props = vars(transformer)
        if set(props) != {"x_props", "y_props"} or any(set(props[k]) != expected for k in props):
            raise Unsupported("this version of imbalanced-learn's ArraysTransformer")
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
                raise Unsupported(f"the pandas dtype {value!r} is not supported")
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
        raise Unsupported(f"an object of type {type(value).__name__} is not supported")


class Decoder:
    """Typed JSON back to values; array and model references are read from the archive."""

    def __init__(self, reader: Reader):
        self.reader = reader
        self.depth = 0

    def decode(self, value):
        if value is None or type(value) in (bool, int, float, str):
            return value
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise ValueError(f"typed JSON nested more than {MAX_DEPTH} levels deep")
            return self._decode(value)
        finally:
            self.depth -= 1

    def _decode(self, value):
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

    def _record(self, value):
        cls = RECORDS.get(value["class"]) if isinstance(value["class"], str) else None
        if cls is None:
            raise ValueError(f"unknown record class {value['class']!r}")
        names = [f.name for f in _stored_fields(cls)]
        fields = value["fields"]
        if not isinstance(fields, dict) or sorted(fields) != sorted(names):
            raise ValueError(f"a {cls.__name__} record needs the fields {names}")
        return cls(**{name: self.decode(fields[name]) for name in names})

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
            _missing_markers(value.get("missing", [])),
            # Files written before grids were found have none: their rows stay as they were.
            self._decode_grid(value.get("grid")),
        )

    def _decode_grid(self, value) -> tuple | None:
        if value is None:
            return None
        levels, sizes = self.decode(value["levels"]), self.decode(value["sizes"])
        if not (type(levels) is type(sizes) is np.ndarray and levels.ndim == sizes.ndim == 1):
            raise ValueError("the layout's grid is not two 1-D arrays")
        if sizes.dtype.kind not in "iu" or (sizes < 0).any() or sizes.sum() != len(levels):
            raise ValueError("the layout's grid sizes do not add up to its levels")
        return tuple(np.split(levels, np.cumsum(sizes)[:-1])) if len(sizes) else ()

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
    "record",
    "ArraysTransformer",
    "CategoricalDtype",
    "StringDtype",
    "pandas_dtype",
    "RangeIndex",
    "Index",
    "Series",
}


def _stored_fields(cls) -> list:
    """The fields of a record class that its typed JSON holds."""
    return [f for f in dataclasses.fields(cls) if not f.metadata.get("shared")]


def _missing_markers(items) -> tuple:
    """A layout's ``missing`` pairs, each kind checked to be one the library writes."""
    kinds = {NAN, NONE, NA}
    pairs = tuple((int(column), str(kind)) for column, kind in items)
    if any(kind not in kinds for _, kind in pairs):
        raise ValueError(f"unexpected missing-value kinds in {pairs}")
    return pairs


def _category_rows(categories) -> np.ndarray:
    """Rows that hold every category of every column, for refitting a ``OneHotEncoder`` given
    its categories: column ``j`` cycles through ``categories[j]``."""
    n_rows = max(len(c) for c in categories)
    dtypes = {c.dtype for c in categories}
    rows = np.empty((n_rows, len(categories)), dtype=dtypes.pop() if len(dtypes) == 1 else object)
    for j, column in enumerate(categories):
        rows[:, j] = column[np.arange(n_rows) % len(column)]
    return rows
