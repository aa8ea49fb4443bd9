"""Generated rows that copy a row of their class, found by comparing rows in one canonical form.

A copy adds weight to a real row and nothing else: random over-sampling in disguise. It
happens where rounding or clipping puts a new row back on a real one: whole-number columns
of few values, all-categorical rows, values pushed onto a corner of the class's range. The
sampler draws such rows again, for at most ``MAX_REDRAWS`` rounds, and stops early once a
round changes (almost) nothing: a class with no other value to offer keeps its copies.

Rows of categorical columns only are left as they are. Such a row is a cell of a finite
table, and a copy is a draw of a cell the class fills; drawing again moves the rows onto the
few other cells the decoder reaches and away from the class's category frequencies. On the
all-categorical KEEL sets (seed 0), redrawing took car-good's copies from 48% to 0.1% but the
largest total-variation distance of a column's frequencies from 0.036 to 0.094, and its
distinct new rows from 188 to 124; kr-vs-k's copies went from 32% to 0 and the distance
from 0.058 to 0.194. Images are left as they are too: their decoded pixels do not round back
onto a real image.
"""

import numpy as np
from scipy import sparse

from .._data.columns import numeric_part
from .._data.missing import is_missing

# Rounds of drawing again the rows that still copy a class row. Each round draws only those
# rows, so a class whose new rows are copies half the time needs about twice the draws.
MAX_REDRAWS = 100
# A round that leaves at least this share of its rows copies again ends the redrawing: the
# class has (almost) no other value to offer, as with a few all-categorical rows.
STALL_SHARE = 0.99
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


def _keys(block: np.ndarray) -> np.ndarray:
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
        _keys(canonical(rows[start : start + CHUNK_ROWS], layout))
        for start in range(0, rows.shape[0], CHUNK_ROWS)
    ]
    return np.unique(np.concatenate(keys)) if keys else np.empty(0, np.uint64)


def copies(new_rows: np.ndarray, seen: np.ndarray, layout) -> np.ndarray:
    """Per row of ``new_rows``: it equals a row of the class (``seen``, its
    :func:`class_keys`) in every column, missing cells included, and has an observed numeric
    cell (otherwise it is a categorical row, which is not redrawn)."""
    found = np.zeros(len(new_rows), dtype=bool)
    if not len(seen):
        return found
    for start in range(0, len(new_rows), CHUNK_ROWS):
        block = canonical(new_rows[start : start + CHUNK_ROWS], layout)
        # A row whose numeric cells are all missing is a categorical row: left as it is.
        numeric = ~np.isnan(block[:, layout.numeric]).all(axis=1)
        keys = _keys(block)
        at = np.minimum(np.searchsorted(seen, keys), len(seen) - 1)
        found[start : start + len(block)] = numeric & (seen[at] == keys)
    return found
