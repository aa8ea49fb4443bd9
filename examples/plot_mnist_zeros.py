"""
Over-sampling rare handwritten zeros with a convolutional VAE
==============================================================

The worked example the library grew out of: MNIST digits where zeros are rare, a
convolutional VAE trained on the zeros alone, and three pictures of it: the learning curves,
generated zeros beside real ones, and the map of its two-dimensional latent space.

Run it from a clone of the repository::

    python -m pip install ".[plot]"
    python examples/plot_mnist_zeros.py                  # ../shared/data/mnist, else download
    python examples/plot_mnist_zeros.py --mnist DIR      # your own copy of the IDX files
    python examples/plot_mnist_zeros.py --out figures/   # where the PNGs go (default: .)

MNIST comes from the ``--mnist`` directory (the IDX files ``t10k-images-idx3-ubyte[.gz]`` and
``t10k-labels-idx1-ubyte[.gz]``), else from the project's ``../shared/data/mnist/``, else from
``keras.datasets.mnist`` (which downloads it). Either way the example uses MNIST's 10,000 test
images, split in two halves: one to resample and train on, one to score.
"""

# %%
# Load MNIST
# ----------
import argparse
import gzip
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib

matplotlib.use("Agg")

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split

from vae_oversampler import VAEOverSampler
from vae_oversampler.plotting import plot_history, plot_latent_grid, plot_samples

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip())
parser.add_argument("--mnist", type=Path, help="directory holding MNIST's t10k IDX files")
parser.add_argument("--out", type=Path, default=Path("."), help="directory for the PNG figures")
parser.add_argument("--epochs", type=int, default=30, help="most training epochs (default 30)")
args, _ = parser.parse_known_args()

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def read_idx(directory: Path, stem: str, header: int) -> np.ndarray:
    """The bytes of an IDX file after its header, from ``stem.gz`` or ``stem``."""
    for name, opener in [(f"{stem}.gz", gzip.open), (stem, open)]:
        if (directory / name).exists():
            with opener(directory / name, "rb") as file:
                return np.frombuffer(file.read(), dtype=np.uint8, offset=header)
    raise FileNotFoundError(f"No {stem} or {stem}.gz in {directory}.")


def load_mnist_test(directory: Path | None) -> tuple[np.ndarray, np.ndarray]:
    for candidate in [directory, SHARED]:
        if candidate is not None and candidate.is_dir():
            images = read_idx(candidate, "t10k-images-idx3-ubyte", 16)
            return images.reshape(-1, 784), read_idx(candidate, "t10k-labels-idx1-ubyte", 8)
    import keras

    _, (images, labels) = keras.datasets.mnist.load_data()
    return images.reshape(-1, 784), labels


X, y = load_mnist_test(args.mnist)
print(f"MNIST: {X.shape[0]} images of {X.shape[1]} uint8 pixels")

# %%
# Make zeros rare
# ---------------
# Half the images train, half score. In the training half, keep one zero in ten, so that
# zeros are about 1% of the rows instead of 10%.
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
rng = np.random.RandomState(0)
zeros = np.flatnonzero(y_train == 0)
dropped = rng.choice(zeros, size=len(zeros) - len(zeros) // 10, replace=False)
X_train, y_train = np.delete(X_train, dropped, axis=0), np.delete(y_train, dropped)
print("training rows per digit:", np.bincount(y_train).tolist())

# %%
# Over-sample the zeros
# ---------------------
# ``image_shape`` switches each class's VAE to the convolutional network; ``latent_dim=2``
# gives the two-dimensional latent space that the latent map draws. Pixels stay uint8.
sampler = VAEOverSampler(
    sampling_strategy={0: int(np.bincount(y_train).max())},
    image_shape=(28, 28, 1),
    latent_dim=2,
    epochs=args.epochs,
    random_state=0,
    verbose=1,
)
X_res, y_res = sampler.fit_resample(X_train, y_train)
print("after resampling:", np.bincount(y_res).tolist(), X_res.dtype)

# %%
# Does it help a classifier?
# --------------------------
# A logistic regression on the pixels, trained with and without the generated zeros, scored
# on the untouched half.
for name, (X_fit, y_fit) in {
    "no resampling": (X_train, y_train),
    "VAEOverSampler": (X_res, y_res),
}.items():
    model = LogisticRegression(max_iter=500).fit(X_fit / 255.0, y_fit)
    report = classification_report(y_test, model.predict(X_test / 255.0), output_dict=True)
    zero, macro = report["0"], report["macro avg"]
    print(
        f"{name:>15}: recall of zeros {zero['recall']:.3f}, F1 of zeros {zero['f1-score']:.3f}, "
        f"macro F1 {macro['f1-score']:.3f}"
    )

# %%
# The three figures
# -----------------
# Learning curves of the zeros' VAE, generated zeros under real ones, and the latent map:
# the decoded image at each point of a grid over [-2, 2]^2 of the latent plane.
args.out.mkdir(parents=True, exist_ok=True)
figures = {
    "mnist_history.png": plot_history(sampler, 0),
    "mnist_samples.png": plot_samples(sampler, 0, n_samples=30, X=X_train, y=y_train),
    "mnist_latent_grid.png": plot_latent_grid(sampler, 0, n=15, extent=2.0),
}
for name, figure in figures.items():
    figure.savefig(args.out / name, dpi=100)
    print("wrote", args.out / name)
