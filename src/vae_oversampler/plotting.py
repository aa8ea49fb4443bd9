"""Figures of a fitted ``VAEOverSampler``: training curves, generated rows, the latent map, and
the fidelity of one class's generated rows.

Each function but :func:`plot_fidelity` takes a fitted sampler and one of the classes it
over-sampled; :func:`plot_fidelity` takes rows, from any over-sampler. Each returns a
matplotlib ``Figure``; save it with ``fig.savefig(path)``. matplotlib is an optional
dependency: ``pip install "vae-oversampler[plot]"``.

Examples
--------
>>> from sklearn.datasets import make_classification
>>> from vae_oversampler import VAEOverSampler
>>> from vae_oversampler.plotting import plot_history
>>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
>>> sampler = VAEOverSampler(epochs=5, random_state=0)
>>> X_res, y_res = sampler.fit_resample(X, y)
>>> fig = plot_history(sampler, class_label=1)
>>> [ax.get_title() for ax in fig.axes]
['total loss', 'reconstruction loss', 'KL divergence']
>>> fig.savefig("history.png")  # doctest: +SKIP
"""

import math

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_is_fitted

from ._data.validation import plain

__all__ = ["plot_fidelity", "plot_history", "plot_latent_grid", "plot_samples"]

_CURVES = (
    ("loss", "total loss"),
    ("reconstruction_loss", "reconstruction loss"),
    ("kl_loss", "KL divergence"),
)


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "vae_oversampler.plotting needs matplotlib, which is not installed. Install it "
            'with: python -m pip install "vae-oversampler[plot]" (or pip install matplotlib).'
        ) from exc
    return plt


def _check_class(sampler, class_label) -> None:
    check_is_fitted(sampler, "vaes_")
    if class_label not in sampler.vaes_:
        raise ValueError(
            f"No VAE was trained for class {plain(class_label)!r}. Plots exist for the classes "
            f"that fit_resample over-sampled: {sorted(map(plain, sampler.vaes_))}."
        )


def _dense(rows) -> np.ndarray:
    """Rows as a 2-D ndarray: object dtype when a table has categorical columns."""
    rows = rows.toarray() if sparse.issparse(rows) else rows
    return np.asarray(rows)


def _image_shape(sampler, class_label):
    return getattr(sampler.vaes_[class_label], "image_shape", None)


def plot_history(sampler, class_label):
    """Training and validation curves of the total, reconstruction and KL loss of one class.

    Read more in the :ref:`User Guide <how_it_works>`.

    Parameters
    ----------
    sampler : VAEOverSampler
        A fitted sampler.
    class_label : object
        A class the sampler over-sampled (a key of ``sampler.history_``).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Three panels against the epoch; validation curves appear when the class was large
        enough for early stopping's held-out split.
    """
    plt = _pyplot()
    _check_class(sampler, class_label)
    history = sampler.history_[class_label]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained")
    for ax, (key, title) in zip(axes, _CURVES, strict=True):
        epochs = np.arange(1, len(history[key]) + 1)
        ax.plot(epochs, history[key], label="training")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], label="validation")
        ax.set(title=title, xlabel="epoch", ylabel="per row")
    axes[0].legend()
    fig.suptitle(f"VAE of class {plain(class_label)!r}")
    return fig


def _class_rows(X, y, class_label, sampler):
    if X is None or y is None:
        return None
    rows = np.asarray(y) == class_label
    if not rows.any():
        raise ValueError(f"y holds no row of class {plain(class_label)!r}.")
    X = X.to_numpy() if hasattr(X, "to_numpy") else X
    real = _dense(X[rows] if sparse.issparse(X) else np.asarray(X)[rows])
    if real.shape[1] != sampler.n_features_in_:
        raise ValueError(
            f"X has {real.shape[1]} features, but the sampler was fitted on "
            f"{sampler.n_features_in_}; pass the X that fit_resample saw."
        )
    return real


def _show_image(ax, image, top):
    image = np.clip(image / top, 0.0, 1.0)
    if image.shape[-1] in (3, 4):
        ax.imshow(image)
    else:
        ax.imshow(image.mean(axis=-1), cmap="gray", vmin=0.0, vmax=1.0)
    ax.set_axis_off()


def _plot_images(plt, new, real, shape, top, title):
    n_cols = min(len(new), 10)
    new_rows = math.ceil(len(new) / n_cols)
    real = None if real is None else real[:n_cols]
    n_rows = new_rows + (real is not None)
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(1.1 * n_cols, 1.2 * n_rows), squeeze=False, layout="constrained"
    )
    for ax in axes.ravel():
        ax.set_axis_off()
    grid = axes[1:] if real is not None else axes
    if real is not None:
        for ax, image in zip(axes[0], real, strict=False):
            _show_image(ax, image.reshape(shape), top)
        axes[0, 0].set_title("real", loc="left", fontsize="small")
        grid[0, 0].set_title("generated", loc="left", fontsize="small")
    for ax, image in zip(grid.ravel(), new, strict=False):
        _show_image(ax, image.reshape(shape), top)
    fig.suptitle(title)
    return fig


def _plot_pairs(plt, new, real, names, title):
    k = len(names)
    features = range(k)
    fig, axes = plt.subplots(k, k, figsize=(2.4 * k, 2.4 * k), squeeze=False, layout="constrained")
    for i, row_feature in enumerate(features):
        for j, col_feature in enumerate(features):
            ax = axes[i, j]
            if i == j:
                values = [new[:, col_feature]] + (
                    [real[:, col_feature]] if real is not None else []
                )
                bins = np.histogram_bin_edges(np.concatenate(values), bins=20)
                if real is not None:
                    ax.hist(real[:, col_feature], bins=bins, density=True, alpha=0.5, label="real")
                ax.hist(new[:, col_feature], bins=bins, density=True, alpha=0.5, label="generated")
            else:
                if real is not None:
                    ax.scatter(real[:, col_feature], real[:, row_feature], s=6, alpha=0.5)
                ax.scatter(new[:, col_feature], new[:, row_feature], s=6, alpha=0.5)
            if i == k - 1:
                ax.set_xlabel(names[j])
            if j == 0:
                ax.set_ylabel(names[i])
    axes[0, 0].legend(fontsize="small")
    fig.suptitle(title)
    return fig


def plot_samples(
    sampler,
    class_label,
    n_samples: int = 10,
    *,
    X=None,
    y=None,
    features=None,
    random_state=0,
):
    """Generated rows of one class, next to real ones when ``X`` and ``y`` are given.

    For images (a sampler fitted with ``image_shape``), a grid of ``n_samples`` generated
    images, ten per line, under a line of real images of the class. For tabular rows, a pair
    plot of up to four features: real rows and generated rows as scatter plots, and their
    histograms on the diagonal.

    Read more in the :ref:`User Guide <how_it_works>`.

    Parameters
    ----------
    sampler : VAEOverSampler
        A fitted sampler.
    class_label : object
        A class the sampler over-sampled.
    n_samples : int, default=10
        Rows to generate. For a tabular pair plot a few hundred show the shape better.
    X, y : array-like, default=None
        The data given to ``fit_resample``, to show the class's real rows beside the new ones.
    features : list of int, default=None
        Columns of a tabular pair plot; ``None`` takes the first four.
    random_state : int, RandomState instance or None, default=0
        Seeds the generated rows.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    plt = _pyplot()
    _check_class(sampler, class_label)
    new = _dense(sampler.sample(n_samples, class_label, random_state=random_state))
    real = _class_rows(X, y, class_label, sampler)
    shape = _image_shape(sampler, class_label)
    kind = "rows" if shape is None else "images"
    title = f"Class {plain(class_label)!r}: generated {kind}" + (
        " and real" if real is not None else ""
    )
    if shape is not None:
        top = sampler.scalers_[class_label].scale
        return _plot_images(plt, new.astype(np.float64), real, shape, top, title)
    n_features = sampler.n_features_in_
    numeric = [int(i) for i in sampler._codec.layout.numeric]
    features = numeric[:4] if features is None else [int(i) for i in features]
    if not features or set(features) - set(numeric):
        raise ValueError(
            f"plot_samples draws a pair plot of numeric columns; pass features from the "
            f"numeric columns {numeric} (got {features})."
        )
    names = getattr(sampler, "feature_names_in_", [f"x{i}" for i in range(n_features)])
    new = new[:, features].astype(np.float64)
    real = None if real is None else real[:, features].astype(np.float64)
    names = [names[i] for i in features]
    return _plot_pairs(plt, new, real, names, title)


def plot_latent_grid(sampler, class_label, n: int = 10, extent: float = 1.0):
    """Decode an ``n`` x ``n`` grid of a 2-D latent space into one image: the latent map.

    The grid runs over ``[-extent, extent]`` on both latent axes; the first axis grows to the
    right and the second upwards, and each cell shows the image decoded from that point.

    Read more in the :ref:`User Guide <how_it_works>`.

    Parameters
    ----------
    sampler : VAEOverSampler
        A sampler fitted with ``image_shape`` and ``latent_dim=2``.
    class_label : object
        A class the sampler over-sampled.
    n : int, default=10
        Images per side of the grid.
    extent : float, default=1.0
        Half-width of the grid in latent units (the prior's standard deviation is 1).

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    plt = _pyplot()
    _check_class(sampler, class_label)
    shape = _image_shape(sampler, class_label)
    model = sampler.vaes_[class_label]
    if shape is None:
        raise ValueError(
            "plot_latent_grid draws images, but this sampler was fitted on tabular rows. Fit "
            "with image_shape=(height, width, channels) to map an image class's latent space."
        )
    if model.latent_dim != 2:
        raise ValueError(
            f"plot_latent_grid needs a 2-D latent space, but class {plain(class_label)!r} has "
            f"latent_dim={model.latent_dim}. Fit with VAEOverSampler(latent_dim=2, ...) to draw "
            "the latent map."
        )
    if not isinstance(n, int | np.integer) or n < 1 or not extent > 0:
        raise ValueError(f"n must be a positive integer and extent positive, got {n=}, {extent=}.")
    from ._generation.latent import decode

    axis = np.linspace(-extent, extent, n)
    z = np.array([[z0, z1] for z1 in axis[::-1] for z0 in axis], dtype=np.float32)
    scaler = sampler.scalers_[class_label]
    images = scaler.inverse_transform(decode(model, z)[0]).reshape(n, n, *shape)
    height, width, channels = shape
    canvas = images.transpose(0, 2, 1, 3, 4).reshape(n * height, n * width, channels)
    fig, ax = plt.subplots(figsize=(6, 6), layout="constrained")
    _show_image(ax, canvas, scaler.scale)
    ax.set_axis_on()
    ticks = np.arange(n)
    ax.set_xticks(ticks * width + (width - 1) / 2, [f"{v:.2g}" for v in axis])
    ax.set_yticks(ticks * height + (height - 1) / 2, [f"{v:.2g}" for v in axis[::-1]])
    ax.set(xlabel="z[0]", ylabel="z[1]", title=f"Latent map of class {plain(class_label)!r}")
    return fig


def plot_fidelity(train, held_out, generated, *, random_state=0, title=None):
    """The fidelity measures of one class's generated rows, as a picture.

    Left, the distance from each row to its closest training row, in units of the training
    rows' spacing (:func:`~vae_oversampler.metrics.distance_ratio`), for the generated rows
    and, as the reference, for held-out real rows: realistic rows have the same
    distribution. Right, the three sets on the training rows' first two principal components.
    The titles carry :func:`~vae_oversampler.metrics.two_sample_auc` and
    :func:`~vae_oversampler.metrics.copy_share`.

    Read more in the :ref:`User Guide <fidelity>`.

    Parameters
    ----------
    train : array-like or DataFrame of shape (n_train, n_features)
        The class's real rows that the sampler saw.
    held_out : array-like or DataFrame of shape (n_held_out, n_features)
        Real rows of the class that it did not see.
    generated : array-like or DataFrame of shape (n_generated, n_features)
        The rows it made for the class.
    random_state : int, RandomState instance or None, default=0
        Seeds the two-sample AUC.
    title : str, default=None
        The figure's title.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    from sklearn.decomposition import PCA

    from . import metrics

    plt = _pyplot()
    train, held_out, generated = metrics._numeric_arrays(train, held_out, generated)
    report = metrics.fidelity_report(train, held_out, generated, random_state=random_state)
    scaled = metrics._scaled(train, held_out, generated, standardize=True)
    ratios = [metrics._distance_ratio(scaled[0], rows) for rows in scaled[1:]]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    finite = np.concatenate([r[np.isfinite(r)] for r in ratios])
    bins = np.linspace(0.0, max(float(finite.max()) if len(finite) else 1.0, 1e-9), 30)
    for ratio, label, median in zip(
        ratios,
        ["held-out real rows", "generated rows"],
        [report["held_out_distance_ratio"], report["distance_ratio"]],
        strict=True,
    ):
        left.hist(
            ratio, bins=bins, alpha=0.55, density=True, label=f"{label} (median {median:.2f})"
        )
    left.set(
        xlabel="distance to the closest training row / training rows' spacing",
        ylabel="density",
        title=f"copies of training rows: {report['copy_share']:.1%}",
    )
    left.legend()
    n_components = min(2, scaled[0].shape[1])
    pca = PCA(n_components=n_components).fit(scaled[0])
    for rows, label, marker in zip(
        scaled, ["training rows", "held-out real rows", "generated rows"], "o^x", strict=True
    ):
        points = pca.transform(rows)
        second = points[:, 1] if n_components > 1 else np.zeros(len(points))
        right.scatter(points[:, 0], second, s=14, alpha=0.6, marker=marker, label=label)
    right.set(
        xlabel="first principal component",
        ylabel="second principal component",
        title=f"two-sample AUC, generated vs held-out: {report['two_sample_auc']:.3f}",
    )
    right.legend()
    if title is not None:
        fig.suptitle(title)
    return fig
