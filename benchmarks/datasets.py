"""Loaders for the benchmark data: KEEL ``.dat`` files, UCI glass and satimage, MNIST, a CSV.

The default data directory is ``../shared/data`` next to the repository; every loader also
takes a path of the user's own, and ``VAE_OVERSAMPLER_DATA`` overrides the default.
"""

import os
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(
    os.environ.get("VAE_OVERSAMPLER_DATA", Path(__file__).resolve().parents[2] / "shared/data")
)


def load_keel(path) -> tuple[pd.DataFrame, np.ndarray]:
    """Read a KEEL ``.dat`` file: ``X`` as a DataFrame (categorical columns as ``category``),
    ``y`` as 1 for the ``positive`` (minority) class and 0 otherwise.

    Rows with a missing value (``<null>``, 4 of cleveland-0_vs_4's 177, all of the majority)
    are dropped, since no sampler here imputes."""
    names, categorical, rows = [], set(), []
    in_data = False
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("%"):
            continue
        lower = line.lower()
        if in_data:
            rows.append([value.strip() for value in line.split(",")])
        elif lower.startswith("@attribute"):
            spec = line[len("@attribute") :].strip()
            brace = spec.find("{")
            name = (spec[:brace] if brace >= 0 else spec.split()[0]).strip()
            names.append(name)
            if brace >= 0:
                categorical.add(name)
        elif lower.startswith("@data"):
            in_data = True
    frame = pd.DataFrame(rows, columns=names)
    frame = frame[~frame.isin(["<null>", "?"]).any(axis=1)].reset_index(drop=True)
    target = frame.pop(names[-1])
    for name in frame.columns:
        if name in categorical:
            frame[name] = frame[name].astype("category")
        else:
            frame[name] = pd.to_numeric(frame[name])
    y = (target.str.lower() == "positive").to_numpy().astype(int)
    return frame, y


def load_csv(path, target: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Read a CSV with one column ``target`` holding the class."""
    frame = pd.read_csv(path)
    return frame.drop(columns=[target]), frame[target].to_numpy()


def load_glass(data_dir=DATA_DIR) -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(Path(data_dir) / "uci/glass.data", header=None)
    return frame.iloc[:, 1:-1].rename(columns=str), frame.iloc[:, -1].to_numpy()


def load_satimage(data_dir=DATA_DIR, part: str = "trn") -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(Path(data_dir) / f"uci/sat.{part}", sep=r"\s+", header=None)
    return frame.iloc[:, :-1].rename(columns=str), frame.iloc[:, -1].to_numpy()


def numeric(X: pd.DataFrame) -> np.ndarray:
    """One-hot encode categorical columns and return a float array."""
    return pd.get_dummies(X, dtype=float).to_numpy(dtype=float)


def load_sklearn_sets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Imbalanced sets built from data that ships with scikit-learn (none of it in shared/).

    Chosen before any result was seen, to judge the defaults on data they were not tuned on:
    digits (0 against the rest, 1:9), breast cancer (malignant cut to 1:9 with imblearn's
    ``make_imbalance``) and a synthetic ``make_classification`` table (5% minority, 1% label
    noise).
    """
    from imblearn.datasets import make_imbalance
    from sklearn.datasets import load_breast_cancer, load_digits, make_classification

    digits = load_digits()
    X, y = load_breast_cancer(return_X_y=True)
    X_bc, y_bc = make_imbalance(
        X, y, sampling_strategy={0: int(np.sum(y == 1)) // 9}, random_state=0
    )
    X_syn, y_syn = make_classification(
        n_samples=2000,
        n_features=20,
        n_informative=6,
        weights=[0.95],
        flip_y=0.01,
        random_state=0,
    )
    return {
        "sklearn digits 0 vs rest": (digits.data, (digits.target == 0).astype(int)),
        "sklearn breast cancer 1:9": (X_bc, (y_bc == 0).astype(int)),
        "sklearn make_classification 5%": (X_syn, y_syn),
    }


def load_mnist(directory=None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's test set from its IDX files (``.gz`` or not): uint8 images as flat rows of
    784 pixels, and their digits."""
    directory = Path(directory) if directory is not None else DATA_DIR / "mnist"

    def read(stem, header):
        import gzip

        for name, opener in [(f"{stem}.gz", gzip.open), (stem, open)]:
            if (directory / name).exists():
                with opener(directory / name, "rb") as file:
                    return np.frombuffer(file.read(), dtype=np.uint8, offset=header)
        raise FileNotFoundError(f"No {stem}(.gz) in {directory}.")

    images = read("t10k-images-idx3-ubyte", 16).reshape(-1, 28 * 28)
    return images, read("t10k-labels-idx1-ubyte", 8).astype(np.int64)
