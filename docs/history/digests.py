"""Digests of fit_resample and sample output on numeric, multi-class, mixed-with-missing and
image data, for comparing two versions of src/ bit for bit:

    PYTHONPATH=<old>/src python digests.py > old.txt
    PYTHONPATH=<new>/src python digests.py > new.txt
    diff old.txt new.txt
"""

import hashlib
import os
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits, make_classification

import vae_oversampler
from vae_oversampler import VAEOverSampler, load


def digest(value) -> str:
    h = hashlib.sha256()
    if isinstance(value, pd.DataFrame):
        h.update(repr(list(value.dtypes)).encode())
        for name in value.columns:
            h.update(repr(value[name].tolist()).encode())
    else:
        value = np.asarray(value)
        h.update(str(value.dtype).encode())
        if value.dtype == object:
            h.update(repr(value.tolist()).encode())
        else:
            h.update(np.ascontiguousarray(value).tobytes())
    return h.hexdigest()[:16]


def cases():
    X, y = make_classification(
        n_samples=400, n_features=6, n_informative=4, weights=[0.85], random_state=0
    )
    yield "numeric", VAEOverSampler(random_state=0), X, y, 1
    yield (
        "numeric_prior_sample",
        VAEOverSampler(random_state=1, latent_sampling="prior", decoder_output="sample", epochs=8),
        X,
        y,
        1,
    )
    yield (
        "numeric_interp",
        VAEOverSampler(
            random_state=2, latent_sampling="interpolate", early_stopping=False, epochs=6
        ),
        X,
        y,
        1,
    )
    X3, y3 = make_classification(
        n_samples=600,
        n_features=5,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        weights=[0.7, 0.2, 0.1],
        random_state=3,
    )
    X3[:, 0] = np.round(X3[:, 0] * 3)
    yield "multiclass", VAEOverSampler(random_state=3, n_jobs=2), X3, y3, 2
    rng = np.random.RandomState(4)
    n = 300
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.randint(0, 5, size=n),
            "c": pd.Categorical(rng.choice(["x", "y", "z"], size=n)),
            "d": rng.choice(["p", "q"], size=n).astype(object),
            "e": rng.exponential(size=n).astype(np.float32),
        }
    )
    yy = (rng.random_sample(n) < 0.2).astype(int)
    frame.loc[rng.random_sample(n) < 0.15, "a"] = np.nan
    frame.loc[rng.random_sample(n) < 0.1, "d"] = None
    frame["f"] = pd.array(
        np.where(rng.random_sample(n) < 0.1, None, rng.randint(0, 9, n)), "Int64"
    )
    yield "mixed_missing", VAEOverSampler(random_state=4), frame, yy, 1
    digits = load_digits()
    keep = (digits.target == 0) | (digits.target == 1)
    Xi, yi = digits.data[keep] / 16.0, digits.target[keep]
    idx = np.flatnonzero(yi == 1)[:30]
    sel = np.concatenate([np.flatnonzero(yi == 0), idx])
    yield (
        "image",
        VAEOverSampler(random_state=5, image_shape=(8, 8, 1), epochs=4),
        Xi[sel],
        yi[sel],
        1,
    )
    yield (
        "image_prior",
        VAEOverSampler(
            random_state=6,
            image_shape=(8, 8, 1),
            epochs=3,
            latent_sampling="prior",
            decoder_output="mean",
        ),
        (Xi[sel] * 255).astype(np.uint8),
        yi[sel],
        1,
    )


def main():
    only = set(sys.argv[1:])
    for name, sampler, X, y, label in cases():
        if only and name not in only:
            continue
        Xr, yr = sampler.fit_resample(X, y)
        print(name, "fit_resample", digest(Xr), digest(yr))
        print(name, "sample", digest(sampler.sample(50, label, random_state=7)))
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "s.zip")
            sampler.save(path)
            loaded = load(path)
        print(name, "loaded_sample", digest(loaded.sample(50, label, random_state=7)))
        sys.stdout.flush()


if __name__ == "__main__":
    print("#", vae_oversampler.__file__, file=sys.stderr)
    main()
