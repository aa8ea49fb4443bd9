"""``vae_oversampler.plotting``: each function returns a Figure, and errors say what to do."""

import sys

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.datasets import load_digits, make_classification

from vae_oversampler import VAEOverSampler
from vae_oversampler.plotting import plot_history, plot_latent_grid, plot_samples

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def images():
    X, y = load_digits(return_X_y=True)
    sampler = VAEOverSampler(
        image_shape=(8, 8, 1), latent_dim=2, epochs=2, sampling_strategy={0: 200}, random_state=0
    )
    sampler.fit_resample(X, y)
    return sampler, X, y


@pytest.fixture(scope="module")
def table():
    X, y = make_classification(n_samples=300, n_features=5, weights=[0.8], random_state=0)
    sampler = VAEOverSampler(epochs=2, hidden_layer_sizes=(8,), random_state=0)
    sampler.fit_resample(X, y)
    return sampler, X, y


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_plot_history_has_training_and_validation_curves(images):
    sampler = images[0]
    fig = plot_history(sampler, 0)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    for ax in fig.axes:
        assert [line.get_label() for line in ax.get_lines()] == ["training", "validation"]
        assert len(ax.get_lines()[0].get_xdata()) == len(sampler.history_[0]["loss"])


def test_plot_samples_shows_real_and_generated_images(images):
    sampler, X, y = images
    fig = plot_samples(sampler, 0, n_samples=12, X=X, y=y)
    # One line of 10 real digits above 12 generated ones (10 per line, 20 cells).
    shown = [ax for ax in fig.axes if ax.get_images()]
    assert isinstance(fig, Figure) and len(shown) == 10 + 12
    assert shown[-1].get_images()[0].get_array().shape == (8, 8)


def test_plot_samples_of_a_table_is_a_pair_plot(table):
    sampler, X, y = table
    fig = plot_samples(sampler, 1, n_samples=50, X=X, y=y)
    assert isinstance(fig, Figure) and len(fig.axes) == 16
    off_diagonal = fig.axes[1]
    real, generated = off_diagonal.collections
    assert len(real.get_offsets()) == (y == 1).sum() and len(generated.get_offsets()) == 50


def test_plot_samples_of_a_mixed_table_pairs_its_numeric_columns():
    import pandas as pd

    X, y = make_classification(
        n_samples=200, n_features=3, n_redundant=0, weights=[0.8], random_state=0
    )
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame.insert(1, "colour", pd.Categorical(np.where(X[:, 0] > 0, "red", "blue")))
    sampler = VAEOverSampler(epochs=2, random_state=0)
    sampler.fit_resample(frame, y)
    fig = plot_samples(sampler, 1, n_samples=20, X=frame, y=y)
    assert len(fig.axes) == 9
    assert [ax.get_xlabel() for ax in fig.axes[-3:]] == ["a", "b", "c"]
    with pytest.raises(ValueError, match=r"numeric columns \[0, 2, 3\]"):
        plot_samples(sampler, 1, features=[0, 1])


def test_plot_latent_grid_tiles_decoded_images(images):
    fig = plot_latent_grid(images[0], 0, n=5, extent=2.0)
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_images()[0].get_array().shape == (40, 40)


def test_plot_latent_grid_needs_a_2d_latent_space_of_images(table):
    with pytest.raises(ValueError, match="fitted on tabular rows.*image_shape"):
        plot_latent_grid(table[0], 1)
    X, y = load_digits(return_X_y=True)
    sampler = VAEOverSampler(
        image_shape=(8, 8, 1), latent_dim=3, epochs=1, sampling_strategy={0: 200}, random_state=0
    )
    sampler.fit_resample(X, y)
    with pytest.raises(ValueError, match=r"needs a 2-D latent space.*latent_dim=3.*latent_dim=2"):
        plot_latent_grid(sampler, 0)


def test_unknown_class_is_named(images):
    with pytest.raises(ValueError, match=r"No VAE was trained for class 5.*\[0\]"):
        plot_history(images[0], 5)


def test_missing_matplotlib_says_how_to_install_it(images, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"needs matplotlib.*vae-oversampler\[plot\]"):
        plot_history(images[0], 0)


def test_plotting_does_not_change_numpy_global_state(images):
    before = np.random.get_state()
    plot_samples(images[0], 0)
    after = np.random.get_state()
    # The key array, the position in it and the cached Gaussian: a single draw moves them.
    assert after[0] == before[0] and np.array_equal(after[1], before[1])
    assert after[2:] == before[2:]
