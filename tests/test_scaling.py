"""Scaling a class's rows: the chunked scaler fit and the in-place transform."""

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from vae_oversampler._data import scaling as _scaling
from vae_oversampler._data.columns import fit_layout
from vae_oversampler._data.scaling import fit_standard_scaler, scale_class


def _rows(n_rows, seed=0):
    rng = np.random.RandomState(seed)
    return (rng.standard_normal((n_rows, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -3.0]).astype(
        np.float32
    )


def test_one_chunk_is_exactly_standard_scaler_fit():
    x = _rows(500)
    chunked, plain = fit_standard_scaler(x), StandardScaler().fit(x)
    np.testing.assert_array_equal(chunked.mean_, plain.mean_)
    np.testing.assert_array_equal(chunked.scale_, plain.scale_)


def test_chunked_fit_matches_standard_scaler_fit(monkeypatch):
    monkeypatch.setattr(_scaling, "FIT_CHUNK_ROWS", 64)
    x = _rows(1000)
    chunked, plain = fit_standard_scaler(x), StandardScaler().fit(x)
    assert chunked.n_samples_seen_ == 1000
    np.testing.assert_allclose(chunked.mean_, plain.mean_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(chunked.scale_, plain.scale_, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scaled_values_are_the_standardised_rows_in_float32(dtype):
    X = _rows(200).astype(dtype)
    rows = X.copy()
    _, (low, high), values, _ = scale_class(rows, fit_layout(X, np.array([], np.int64)))
    assert values.dtype == np.float32
    np.testing.assert_allclose(values, StandardScaler().fit_transform(X), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(low, X.min(axis=0))
    np.testing.assert_array_equal(high, X.max(axis=0))
    # The class's own copy is reused, not a new one made.
    if dtype == np.float32:
        assert np.shares_memory(values, rows)


def test_categorical_rows_keep_their_codes():
    X = np.array([[0.5, "a"], [1.5, "b"], [2.5, "a"]], dtype=object)
    rows = X.copy()
    layout = fit_layout(X, np.array([1]))
    _, _, values, _ = scale_class(rows, layout)
    np.testing.assert_array_equal(values[:, 1:], [[1, 0], [0, 1], [1, 0]])
    assert rows.tolist() == X.tolist()
