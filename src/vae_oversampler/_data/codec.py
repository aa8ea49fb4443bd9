"""The table codec: rows of X to the network's matrix and back, fitted once per sampler.

Shaped like CTGAN's ``DataTransformer`` and scikit-learn's fitted transformers:

- :meth:`TableCodec.fit` reads what is common to every class from all of X: the column
  layout (numeric and categorical columns, whole-number columns, each column's dtype and
  missing marker, the one-hot encoder) and, for images, the pixel range.
- :meth:`TableCodec.fit_class` fits one class's :class:`ClassCodec` (its standardisation,
  value ranges, the categories it holds and its missing-cell columns and rates) and returns
  the class's matrix: scaled numeric columns, one-hot blocks, missingness indicators.
- :meth:`TableCodec.inverse_transform` takes generated values of one class back to rows of X:
  un-scaling, clipping, whole-number rounding, categories, holes, and X's dtypes.

The codec is deterministic. The random parts of a new row (the decoder's noise, the category
and hole draws) are made by generation (:mod:`.._generation`), which hands their outcome to
:meth:`TableCodec.inverse_transform`.
"""

from dataclasses import dataclass

import numpy as np

from ..exceptions import TrainingDivergedError
from .columns import ColumnLayout, assemble, fit_layout
from .grid import snap_to_grid
from .keys import class_keys
from .missing import ClassMissing, put_missing, restore_object_markers
from .pixels import PixelScaler, check_image_shape, pixel_scale
from .scaling import scale_class
from .validation import plain


@dataclass
class ClassCodec:
    """What the codec learned from one class's rows.

    ``scaler`` standardises the numeric columns (a ``PixelScaler`` for images); ``low`` and
    ``high`` are their observed ranges; ``present`` marks, over the one-hot blocks, the
    categories the class holds (None without categorical columns); ``missing`` lists the
    columns with holes in the class and their rates (None for a class without holes).
    """

    label: object
    scaler: object
    low: np.ndarray
    high: np.ndarray
    present: np.ndarray | None = None
    missing: ClassMissing | None = None


@dataclass
class TableCodec:
    """The column layout of X, its pixel range for images, and the dtype of its rows.

    Build it with :meth:`fit`.
    """

    layout: ColumnLayout
    dtype: np.dtype
    image_shape: tuple | None = None
    pixels: PixelScaler | None = None

    @classmethod
    def fit(cls, X, categorical, frame_dtypes=None, image_shape=None) -> "TableCodec":
        """Fit the codec on all of ``X`` (validated), given its categorical column indices.

        ``frame_dtypes`` are the caller's column dtypes when X was a DataFrame; ``image_shape``
        (checked against X's width) makes each row an image with pixels scaled to [0, 1].
        """
        pixels = None
        if image_shape is not None:
            image_shape = check_image_shape(image_shape, X.shape[1])
            pixels = PixelScaler(pixel_scale(X))
        dtypes = names = None
        if frame_dtypes is not None:
            dtypes, names = list(frame_dtypes), list(getattr(frame_dtypes, "index", ())) or None
        layout = fit_layout(X, categorical, dtypes, names, grids=image_shape is None)
        return cls(layout, X.dtype, image_shape, pixels)

    def row_keys(self, rows) -> np.ndarray | None:
        """The sorted keys of a class's distinct ``rows`` (in X's columns and dtype), by which
        generation recognises a new row that copies one; None for images and tables without a
        numeric column, whose copies are kept (see ``_generation.copies``)."""
        if self.image_shape is not None or not len(self.layout.numeric):
            return None
        return class_keys(rows, self.layout)

    def restore_markers(self, frame, given=None) -> None:
        """Give an output DataFrame's ``object`` columns their own missing values back (see
        :func:`~vae_oversampler._data.missing.restore_object_markers`): ``given``, the caller's
        DataFrame, fills its first rows, or None when no row of it is in ``frame``. Nothing
        for a table without holes or an output that is not a DataFrame."""
        if self.layout.missing and hasattr(frame, "iloc"):
            n_given = 0 if given is None else len(given)
            restore_object_markers(frame, given, self.layout.missing_kinds, n_given)

    def fit_class(self, rows, label) -> tuple[ClassCodec, np.ndarray]:
        """Fit one class's :class:`ClassCodec` and return it with the class's matrix.

        ``rows`` must be the class's own copy of its rows (``X[y == label]``): its numeric
        columns are scaled in place. The matrix is float32: the scaled numeric columns (0 where
        a cell is missing), the one-hot blocks (all zeros where a category is missing), then
        one missingness indicator per column with a hole in the class.
        """
        scaler, (low, high), matrix, missing = scale_class(rows, self.layout, self.pixels)
        present = None
        if self.layout.categorical.size:
            n_numeric = len(self.layout.numeric)
            present = matrix[:, n_numeric : self.layout.n_encoded].any(axis=0)
        codec = ClassCodec(label, scaler, low, high, present, missing if missing.size else None)
        return codec, matrix

    def inverse_transform(self, codec: ClassCodec, numeric, codes, holes, clip=True):
        """Rows of X (as an ndarray of X's dtype) from one class's generated values.

        ``numeric`` are the scaled numeric columns (float64, overwritten), ``codes`` each
        categorical column's category code, ``holes`` which cells of ``codec.missing``'s
        columns are missing (None without). Values are un-scaled, clipped to the class's
        ranges with ``clip``, whole-number columns rounded, and cast to each column's dtype.

        Raises
        ------
        TrainingDivergedError
            If a value is NaN: the decoder itself broke.
        """
        layout = self.layout
        numeric = codec.scaler.inverse_transform(numeric)
        snap_to_grid(numeric, layout.grid)
        if clip:
            np.clip(numeric, codec.low, codec.high, out=numeric)
        numeric[:, layout.whole] = np.rint(numeric[:, layout.whole])
        model_columns = () if codec.missing is None else codec.missing.model_columns
        for i, column in enumerate(model_columns):
            if column >= 0:
                # A placeholder, replaced by the column's missing value below.
                numeric[holes[:, i], column] = 0.0
        # Values beyond float64's range (clip=False) are clipped into the dtype below;
        # NaN means the decoder itself broke.
        if np.isnan(numeric).any():
            raise TrainingDivergedError(
                f"The VAE of class {plain(codec.label)!r} decoded non-finite values, so no rows "
                "were returned. Lower learning_rate, or rescale columns that hold extreme "
                "values."
            )
        rows = cast_columns(numeric, layout.numeric_dtypes, self.dtype)
        if layout.categorical.size:
            rows = assemble(rows, codes, layout, self.dtype)
        if holes is not None:
            put_missing(rows, holes, codec.missing.columns, layout.missing_kinds)
        return rows


def cast_columns(values: np.ndarray, dtypes, dtype) -> np.ndarray:
    """Cast generated float values to ``dtype``, each column first with :func:`cast_like` to
    its own dtype of ``dtypes``, so that it fits the caller's column (a uint8 column of a
    DataFrame validated as float64 gets whole numbers in [0, 255])."""
    dtype = np.dtype(dtype)
    if all(np.dtype(d) == dtype for d in dtypes):
        return cast_like(values, dtype)
    out = np.empty(values.shape, dtype)
    for j, column_dtype in enumerate(dtypes):
        out[:, j] = cast_like(values[:, j], column_dtype)
    return out


def cast_like(values: np.ndarray, dtype) -> np.ndarray:
    """Cast generated float values to the input's dtype: integers are rounded and clipped,
    and floats clipped to the dtype's finite range (a float32 column stays finite)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return values > 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        rounded, high = np.rint(values), float(info.max)
        if int(high) <= info.max:
            return np.clip(rounded, info.min, high).astype(dtype)
        # 64-bit: float(info.max) is 2**63 or 2**64, which astype would wrap round to the
        # dtype's other end; values that reach it become info.max itself.
        out = np.clip(rounded, info.min, np.nextafter(high, 0)).astype(dtype)
        out[rounded >= high] = info.max
        return out
    # Floats (and the numbers of an object array) stay finite: clipped to the dtype's range.
    info = np.finfo(dtype if dtype.kind == "f" else np.float64)
    return np.clip(values, info.min, info.max).astype(dtype)
