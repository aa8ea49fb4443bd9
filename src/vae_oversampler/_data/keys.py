"""Rows in one canonical form, and a 64-bit key per row: how a class's rows are recognised.

A class's distinct rows are kept as sorted keys (8 bytes a row instead of the rows), so that
generation can tell a new row that copies a class row (see ``_generation.copies``).
"""

import numpy as np
from scipy import sparse

from .columns import numeric_part
from .missing import is_missing

# Rows put in canonical form at a time, to keep the float64 temporaries small on big classes.
CHUNK_ROWS = 65_536


def canonical(rows, layout) -> np.ndarray:
    """``rows`` (in the caller's column order and dtype) as float64: numeric values, NaN
    where missing; each categorical cell as its category's code, -1 where missing; -0.0 as
    0.0 and every NaN the same NaN, so that equal rows have equal bytes."""
    rows = rows.toarray() if sparse.issparse(rows) else np.asarray(rows)
    out = np.empty(rows.shape, dtype=np.float64)
    if len(layout.numeric):
        out[:, layout.numeric] = numeric_part(rows, layout.numeric)
    for column, categories in zip(layout.categorical, layout.categories, strict=True):
        codes = {value: code for code, value in enumerate(categories.tolist())}
        values, holes = rows[:, column].tolist(), is_missing(rows[:, column])
        out[:, column] = [
            -1 if hole else codes.get(value, -2) for value, hole in zip(values, holes, strict=True)
        ]
    out += 0.0
    out[np.isnan(out)] = np.nan
    return out


def _mix(h: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, in place on a uint64 array: every input bit moves every output
    bit, so rows that differ anywhere get unrelated keys."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def row_keys(block: np.ndarray) -> np.ndarray:
    """One 64-bit key per row of a canonical float64 array, equal whenever the rows' bytes are.

    Two different rows share a key with probability about 2**-64, and the only effect of that
    would be drawing a new row again that was not a copy.
    """
    words = np.ascontiguousarray(block).view(np.uint64)
    key = np.full(len(words), 0x9E3779B97F4A7C15, dtype=np.uint64)
    for column in range(words.shape[1]):
        key ^= _mix(words[:, column].copy())
        _mix(key)
    return key


def class_keys(rows, layout) -> np.ndarray:
    """The sorted, distinct keys of a class's rows (in the caller's columns and dtype): what
    the sampler keeps to find copies, 8 bytes a row instead of the rows themselves."""
    keys = [
        row_keys(canonical(rows[start : start + CHUNK_ROWS], layout))
        for start in range(0, rows.shape[0], CHUNK_ROWS)
    ]
    return np.unique(np.concatenate(keys)) if keys else np.empty(0, np.uint64)
