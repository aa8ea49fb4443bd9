"""Numeric columns whose values sit on an evenly spaced grid, and putting new values on it.

Flags, ratings, counts and measurements recorded to a fixed number of decimals hold values
``origin + k * step`` for whole ``k``, and still do after an affine rescaling such as
standardisation, which takes whole numbers off the whole numbers. A decoder's values fall
between the grid points; a classifier, or a two-sample test, tells such rows from real ones
by that alone (a flag of 0.37, say). The codec therefore moves each new value of such a
column to its nearest grid point, as it rounds whole-number columns.

A column's grid is read from the distinct values of its first ``GRID_SAMPLE_ROWS`` rows: their
smallest gap is the step, and every other value must sit a whole number of steps from the
smallest, up to ``GRID_TOLERANCE`` of a step (the rounding error of a rescaling). Every row is
then checked, so one value off the grid leaves the column without one. Whole-number columns
whose step is 1 are left to rounding, which already puts their values on the grid.

A grid is kept as its levels: the sorted distinct values seen, when there are at most
``MAX_GRID_LEVELS``, so that a new value on a seen level equals the real value bit for bit
(and the sampler recognises a copy of a real row); otherwise just the smallest value and the
one a step above it, which fix the grid.
"""

from collections.abc import Iterable

import numpy as np

# Rows whose distinct values a column's grid is read from.
GRID_SAMPLE_ROWS = 4_096
# How far (in steps) a value may sit from a grid point and still be on it: the rounding error
# of an affine rescaling, not a different value.
GRID_TOLERANCE = 1e-6
# Most levels kept per column (8 bytes each); a column with more keeps its first two.
MAX_GRID_LEVELS = 256

NO_GRID = np.zeros(0)


def find_grids(blocks: Iterable[np.ndarray], whole: np.ndarray) -> tuple:
    """Per numeric column, its grid's levels (a sorted float64 array), or an empty array
    where its values are not on a grid or it is a whole-number column of step 1.

    ``blocks`` are the table's numeric columns (float, NaN where missing), a block of rows
    at a time, first rows first; the first block must hold at least ``GRID_SAMPLE_ROWS`` rows
    or all of them.
    """
    grids = []
    candidates = None
    for block in blocks:
        if candidates is None:
            sample = block[:GRID_SAMPLE_ROWS].astype(np.float64)
            grids = [_levels(sample[:, j], whole[j]) for j in range(block.shape[1])]
            candidates = [j for j, levels in enumerate(grids) if len(levels)]
            block = block[GRID_SAMPLE_ROWS:]
        for j in list(candidates):
            origin, step = _origin_step(grids[j])
            with np.errstate(over="ignore", invalid="ignore"):
                on_grid = _on_grid((block[:, j].astype(np.float64) - origin) / step)
            if not on_grid:
                grids[j] = NO_GRID
                candidates.remove(j)
        if not candidates:
            break
    return tuple(grids)


def _levels(values: np.ndarray, whole: bool) -> np.ndarray:
    """The levels of the grid that ``values`` (one column, NaN where missing) sit on, or an
    empty array."""
    values = np.unique(values[~np.isnan(values)])
    if len(values) < 2:
        return NO_GRID
    with np.errstate(over="ignore", invalid="ignore"):
        # Values near float64's limits overflow here: not on a grid.
        step = float(np.min(np.diff(values)))
        if not (np.isfinite(step) and step > 0 and _on_grid((values - values[0]) / step)):
            return NO_GRID
    if whole and step == 1.0:
        return NO_GRID
    if len(values) > MAX_GRID_LEVELS:
        return np.array([values[0], values[0] + step])
    return values


def _origin_step(levels: np.ndarray) -> tuple[float, float]:
    return float(levels[0]), float(np.min(np.diff(levels)))


def _on_grid(offsets: np.ndarray) -> bool:
    """Every offset (in steps, NaN where missing) is a finite whole number of steps."""
    offsets = offsets[~np.isnan(offsets)]
    finite = np.isfinite(offsets).all()
    return bool(finite and np.all(np.abs(offsets - np.rint(offsets)) <= GRID_TOLERANCE))


def snap_to_grid(numeric: np.ndarray, grids: tuple | None) -> None:
    """Move each value of ``numeric`` (rows x numeric columns, in X's units, float64) to its
    column's nearest grid point, in place, taking a level's own value where the point is one;
    columns without a grid are left alone, and so is a value whose grid point would not be
    finite (beyond float64's range, with ``clip=False``)."""
    for j, levels in enumerate(grids or ()):
        if not len(levels):
            continue
        origin, step = _origin_step(levels)
        with np.errstate(over="ignore", invalid="ignore"):
            points = origin + step * np.rint((numeric[:, j] - origin) / step)
            at = np.clip(np.searchsorted(levels, points), 1, len(levels) - 1)
            below, above = levels[at - 1], levels[at]
            nearest = np.where(points - below <= above - points, below, above)
            seen = np.abs(nearest - points) <= GRID_TOLERANCE * step
        snapped = np.where(seen, nearest, points)
        numeric[:, j] = np.where(np.isfinite(snapped), snapped, numeric[:, j])
