"""Bad input gets a ValueError that names the problem and the fix, and nothing is modified."""

import numpy as np
import pandas as pd
import pytest

from vae_oversampler import VAEOverSampler

X = np.random.RandomState(0).normal(size=(40, 3))
Y = np.r_[np.zeros(30, int), np.ones(10, int)]


def sampler(**params):
    return VAEOverSampler(**{"epochs": 2, "hidden_layer_sizes": (8,), "random_state": 0, **params})


@pytest.mark.parametrize(
    "X_bad, match",
    [
        (np.where(np.arange(120).reshape(40, 3) == 5, np.inf, X), "(?s)infinity.*Replace or drop"),
        (X[:, 0], "(?s)Expected 2D array.*reshape"),
        (X.reshape(40, 3, 1), "(?s)dim 3.*X.reshape\\(len\\(X\\), -1\\)"),
        (X[:39], "(?s)inconsistent numbers of samples.*one entry per sample"),
    ],
)
def test_bad_arrays(X_bad, match):
    before = X_bad.copy()
    with pytest.raises(ValueError, match=match):
        sampler().fit_resample(X_bad, Y)
    np.testing.assert_array_equal(X_bad, before)


def test_non_numeric_dataframe_columns_are_named():
    df = pd.DataFrame({"a": X[:, 0], "colour": ["red", "blue"] * 20})
    match = r"\['colour'\] are not numeric.*categorical_features=\['colour'\]"
    with pytest.raises(ValueError, match=match):
        sampler(categorical_features=None).fit_resample(df, Y)


def test_non_numeric_array():
    X_str = X.astype(object)
    X_str[3, 1] = "abc"
    with pytest.raises(ValueError, match=r"not numbers.*categorical_features=\[\.\.\.\]"):
        sampler().fit_resample(X_str, Y)


def test_class_with_one_row():
    y = np.r_[np.zeros(39, int), np.ones(1, int)]
    with pytest.raises(ValueError, match=r"\{1: 1\}.*fewer than 2 rows.*RandomOverSampler"):
        sampler().fit_resample(X, y)


def test_strategy_that_shrinks_a_class():
    with pytest.raises(ValueError, match="should be greater or equal to the original"):
        sampler(sampling_strategy={1: 5}).fit_resample(X, Y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"epochs": 0}, "'epochs' parameter"),
        ({"latent_sampling": "nearest"}, "'latent_sampling' parameter"),
        ({"validation_fraction": 1.5}, "'validation_fraction' parameter"),
        ({"learning_rate": -1.0}, "'learning_rate' parameter"),
    ],
)
def test_invalid_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        sampler(**params).fit_resample(X, Y)


def test_bad_hidden_layer_sizes():
    with pytest.raises(ValueError, match="hidden_layer_sizes must hold positive integers"):
        VAEOverSampler(hidden_layer_sizes=(8, 0)).fit_resample(X, Y)


def test_parameters_are_keyword_only():
    with pytest.raises(TypeError):
        VAEOverSampler("auto")
