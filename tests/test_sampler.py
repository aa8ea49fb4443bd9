"""Behaviour of VAEOverSampler.fit_resample and sample on numeric tables."""

import pickle
import random
import subprocess
import sys
from collections import Counter

import joblib
import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from scipy import sparse
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.preprocessing import StandardScaler

from vae_oversampler import VAEOverSampler

FAST = {"epochs": 3, "hidden_layer_sizes": (16,), "latent_dim": 2}


def fast(**params):
    return VAEOverSampler(**{**FAST, "random_state": 0, **params})


@pytest.fixture(scope="module")
def binary():
    return make_classification(
        n_samples=200,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        weights=[0.85],
        random_state=0,
    )


@pytest.fixture(scope="module")
def multiclass():
    return make_classification(
        n_samples=300,
        n_features=5,
        n_informative=3,
        n_classes=3,
        weights=[0.6, 0.3, 0.1],
        random_state=1,
    )


def counts(y):
    return dict(Counter(np.asarray(y).tolist()))


@pytest.mark.parametrize(
    "strategy, expected",
    [
        (0.5, {0: 170, 1: 85}),
        ("auto", {0: 170, 1: 170}),
        ("minority", {0: 170, 1: 170}),
        ("not majority", {0: 170, 1: 170}),
        ("all", {0: 170, 1: 170}),
        ({1: 100}, {0: 170, 1: 100}),
        (lambda y: {1: 40}, {0: 170, 1: 40}),
    ],
)
def test_binary_counts(binary, strategy, expected):
    X, y = binary
    assert counts(y) == {0: 170, 1: 30}
    X_res, y_res = fast(sampling_strategy=strategy).fit_resample(X, y)
    assert counts(y_res) == expected
    assert X_res.shape == (sum(expected.values()), X.shape[1])


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("auto", {0: 181, 1: 181, 2: 181}),
        ("minority", {0: 181, 1: 90, 2: 181}),
        ("not minority", {0: 181, 1: 181, 2: 29}),
        ("not majority", {0: 181, 1: 181, 2: 181}),
        ("all", {0: 181, 1: 181, 2: 181}),
        ({1: 100, 2: 50}, {0: 181, 1: 100, 2: 50}),
        (lambda y: {2: 60}, {0: 181, 1: 90, 2: 60}),
    ],
)
def test_multiclass_counts(multiclass, strategy, expected):
    X, y = multiclass
    assert counts(y) == {0: 181, 1: 90, 2: 29}
    _, y_res = fast(sampling_strategy=strategy).fit_resample(X, y)
    assert counts(y_res) == expected


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_original_rows_first_and_unchanged(multiclass, dtype):
    # float32 rows are scaled in place in the class's copy; the caller's X must not be it.
    X, y = multiclass
    X = X.astype(dtype)
    X_before, y_before = X.copy(), y.copy()
    X_res, y_res = fast().fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    # New rows are grouped by class, in sampling_strategy_ order.
    expected_new = np.concatenate([np.full(181 - 90, 1), np.full(181 - 29, 2)])
    np.testing.assert_array_equal(y_res[len(y) :], expected_new)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_same_seed_same_rows_bitwise(binary):
    X, y = binary
    first, _ = fast(random_state=7).fit_resample(X, y)
    second, _ = fast(random_state=7).fit_resample(X, y)
    other, _ = fast(random_state=8).fit_resample(X, y)
    assert first.tobytes() == second.tobytes()
    assert not np.array_equal(first[len(X) :], other[len(X) :])


def test_global_random_state_untouched(binary):
    import keras

    X, y = binary
    keras.utils.set_random_seed(123)
    python_state, numpy_state = random.getstate(), np.random.get_state()
    expected_keras_draw = keras.ops.convert_to_numpy(keras.random.uniform((4,)))
    keras.utils.set_random_seed(123)
    fast(random_state=None).fit_resample(X, y)
    assert random.getstate() == python_state
    after = np.random.get_state()
    assert all(np.array_equal(a, b) for a, b in zip(after, numpy_state, strict=True))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(keras.random.uniform((4,))), expected_keras_draw
    )


def _global_states():
    import keras

    keras.utils.set_random_seed(321)
    return random.getstate(), np.random.get_state()


def _assert_global_states(before, keras_draw):
    import keras

    assert random.getstate() == before[0]
    after = np.random.get_state()
    assert all(np.array_equal(a, b) for a, b in zip(after, before[1], strict=True))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(keras.random.uniform((4,))), keras_draw
    )


@pytest.mark.parametrize("random_state", [None, 5, np.random.RandomState(5)])
@pytest.mark.parametrize("images", [False, True])
def test_global_random_states_untouched_by_fit_and_sample(binary, random_state, images):
    """Integer, generator and None seeds, tables and images, fit_resample and sample: the
    global generators of Python, NumPy and Keras are where they were."""
    import keras

    X, y = binary
    params = {"random_state": random_state}
    if images:
        X, params["image_shape"] = np.abs(np.resize(X, (len(X), 16))) / 10, (4, 4, 1)
    _global_states()
    keras_draw = keras.ops.convert_to_numpy(keras.random.uniform((4,)))
    before = _global_states()  # the same states again, before the draw
    sampler = fast(**params)
    sampler.fit_resample(X, y)
    sampler.sample(20, 1, random_state=random_state)
    _assert_global_states(before, keras_draw)


def test_generated_rows_follow_their_class():
    rng = np.random.RandomState(0)
    cov = np.diag([1.0, 0.5, 2.0])
    major = rng.multivariate_normal([0.0, 0.0, 0.0], cov, size=600)
    minor = rng.multivariate_normal([6.0, -4.0, 5.0], cov, size=120)
    X = np.vstack([major, minor])
    y = np.r_[np.zeros(600, int), np.ones(120, int)]
    sampler = VAEOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    new = X_res[len(X) :]
    assert len(new) == 480
    judge = LogisticRegression().fit(X, y)
    assert judge.predict(new).mean() >= 0.9
    np.testing.assert_allclose(new.mean(axis=0), minor.mean(axis=0), atol=0.35)
    np.testing.assert_allclose(new.std(axis=0), minor.std(axis=0), rtol=0.3)
    # Not copies of the training rows.
    assert not (new[:, None, :] == minor[None, :, :]).all(axis=2).any()


def test_history_and_models(multiclass):
    X, y = multiclass
    sampler = fast(epochs=4).fit(X, y)
    assert not hasattr(sampler, "vaes_")
    sampler.fit_resample(X, y)
    assert set(sampler.vaes_) == set(sampler.history_) == {1, 2}
    history = sampler.history_[1]
    assert set(history) == {
        "loss",
        "reconstruction_loss",
        "kl_loss",
        "val_loss",
        "val_reconstruction_loss",
        "val_kl_loss",
    }
    assert all(len(values) == len(history["loss"]) for values in history.values())
    assert 1 <= len(history["loss"]) <= 4
    assert all(isinstance(v, float) for v in history["loss"])


def test_tiny_class_trains_without_validation():
    X = np.random.RandomState(0).normal(size=(40, 3))
    y = np.r_[np.zeros(37, int), np.ones(3, int)]
    sampler = fast()
    _, y_res = sampler.fit_resample(X, y)
    assert counts(y_res) == {0: 37, 1: 37}
    assert set(sampler.history_[1]) == {"loss", "reconstruction_loss", "kl_loss"}
    assert len(sampler.history_[1]["loss"]) == FAST["epochs"]


def test_pandas_in_pandas_out(binary):
    X, y = binary
    X_df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    y_s = pd.Series(y, name="target")
    sampler = fast()
    X_res, y_res = sampler.fit_resample(X_df, y_s)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == list(X_df.columns) and y_res.name == "target"
    np.testing.assert_array_equal(sampler.feature_names_in_, X_df.columns)
    pd.testing.assert_frame_equal(X_res.iloc[: len(X_df)], X_df)
    new = sampler.sample(5, 1, random_state=0)
    assert isinstance(new, pd.DataFrame) and list(new.columns) == list(X_df.columns)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_in_same_sparse_out(binary, fmt):
    X, y = binary
    X_sparse = sparse.csr_matrix(X).asformat(fmt)
    sampler = fast()
    X_res, _ = sampler.fit_resample(X_sparse, y)
    assert sparse.issparse(X_res) and X_res.format == fmt
    dense_res, _ = fast().fit_resample(X, y)
    np.testing.assert_array_equal(X_res.toarray(), dense_res)
    new = sampler.sample(4, 1, random_state=0)
    assert sparse.issparse(new) and new.format == fmt and new.shape == (4, X.shape[1])


def test_dtypes_preserved(binary):
    X, y = binary
    X32, _ = fast().fit_resample(X.astype(np.float32), y)
    assert X32.dtype == np.float32
    X_int = np.rint(X * 10).astype(np.int32)
    X_res, _ = fast().fit_resample(X_int, y)
    assert X_res.dtype == np.int32
    assert np.abs(X_res[len(X) :]).max() <= 10 * np.abs(X).max() * 3


def test_sample_is_reproducible_and_checked(binary):
    X, y = binary
    sampler = fast().fit(X, y)
    with pytest.raises(Exception, match="not fitted"):
        sampler.sample(3, 1)
    sampler.fit_resample(X, y)
    first = sampler.sample(50, 1, random_state=3)
    assert first.shape == (50, X.shape[1])
    np.testing.assert_array_equal(first, sampler.sample(50, 1, random_state=3))
    assert not np.array_equal(first, sampler.sample(50, 1, random_state=4))
    assert sampler.sample(0, 1).shape == (0, X.shape[1])
    with pytest.raises(ValueError, match="No VAE was trained for class 0"):
        sampler.sample(3, 0)
    with pytest.raises(ValueError, match="n_samples must be a non-negative integer"):
        sampler.sample(-1, 1)


@pytest.mark.parametrize("dump", [pickle.dumps, "joblib"])
def test_persistence_keeps_sampling(binary, dump, tmp_path):
    X, y = binary
    sampler = fast()
    sampler.fit_resample(X, y)
    if dump == "joblib":
        path = tmp_path / "sampler.joblib"
        joblib.dump(sampler, path)
        loaded = joblib.load(path)
    else:
        loaded = pickle.loads(dump(sampler))
    np.testing.assert_array_equal(
        loaded.sample(20, 1, random_state=5), sampler.sample(20, 1, random_state=5)
    )


@pytest.mark.parametrize(
    "params",
    [
        {"latent_sampling": "prior"},
        {"latent_sampling": "interpolate"},
        {"decoder_output": "mean"},
        {"decoder_output": "sample"},
        {"decoder_output": "sample", "latent_sampling": "prior"},
        {"decoder_output": "sample", "latent_sampling": "interpolate"},
        {"early_stopping": False},
    ],
)
def test_options_generate_valid_rows(binary, params):
    X, y = binary
    X_res, _ = fast(**params).fit_resample(X, y)
    new = X_res[len(X) :]
    assert new.shape == (140, X.shape[1]) and np.isfinite(new).all()


def test_decoder_mean_is_less_spread_than_sampling(binary):
    X, y = binary
    noisy = fast(epochs=20, decoder_output="sample").fit_resample(X, y)[0][len(X) :]
    smooth = fast(epochs=20, decoder_output="mean").fit_resample(X, y)[0][len(X) :]
    assert smooth.std(axis=0).mean() < noisy.std(axis=0).mean()


@pytest.mark.parametrize("latent_sampling", ["posterior", "prior", "interpolate"])
def test_residual_output_keeps_the_rows_correlated_detail(latent_sampling):
    # Column 1 repeats column 0 plus a small offset of its own. Independent Gaussian noise
    # per column breaks the tie between them; reconstruction residuals of real rows keep it.
    rng = np.random.RandomState(0)
    base = rng.normal(size=(120, 3))
    X = np.column_stack([base[:, 0], base[:, 0] + 0.05 * base[:, 1], base[:, 1:]])
    y = np.r_[np.zeros(80, dtype=int), np.ones(40, dtype=int)]
    gaps = {}
    for output in ("sample", "residual"):
        sampler = fast(epochs=20, latent_sampling=latent_sampling, decoder_output=output)
        new = sampler.fit_resample(X, y)[0][len(X) :]
        gaps[output] = np.abs(new[:, 1] - new[:, 0]).mean()
    # Real rows: gap 0.04; Gaussian noise: about 1.2; residuals: 0.06 to 0.23 by mode. The
    # residual rows must keep the tie: closer to the real rows' gap than to the noise's, by
    # the measure of the real gap itself (a row 9x the real gap, 0.36, fails).
    real = np.abs(X[y == 1, 1] - X[y == 1, 0]).mean()
    assert gaps["residual"] < 0.3 * gaps["sample"]
    assert gaps["residual"] < 6 * real, (gaps, real)


def test_residual_output_from_prior_points_reproducible_and_pickles(binary):
    X, y = binary
    sampler = fast(latent_sampling="prior")
    X_res, _ = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, fast(latent_sampling="prior").fit_resample(X, y)[0])
    loaded = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(
        loaded.sample(15, 1, random_state=3), sampler.sample(15, 1, random_state=3)
    )


def test_generation_options_apply_to_later_sample_calls(binary):
    # As with latent_sampling, decoder_output is read when rows are made, so set_params
    # after fitting changes what sample() returns, without retraining.
    X, y = binary
    sampler = fast(decoder_output="sample")
    sampler.fit_resample(X, y)
    noisy = sampler.sample(200, 1, random_state=0)
    sampler.set_params(decoder_output="residual")
    residual = sampler.sample(200, 1, random_state=0)
    reference = fast()
    reference.fit_resample(X, y)
    np.testing.assert_array_equal(residual, reference.sample(200, 1, random_state=0))
    assert not np.array_equal(noisy, residual)


def test_verbose(binary, capsys):
    X, y = binary
    fast(verbose=0).fit_resample(X, y)
    assert capsys.readouterr().out == ""
    fast(verbose=1).fit_resample(X, y)
    out = capsys.readouterr().out
    assert "class 1: 30 rows" in out and "epochs" in out and "loss" in out
    # verbose=2 adds Keras's per-epoch log of the training job (fit, not the one-call loop),
    # and gives the same rows as verbose=0.
    quiet = fast(verbose=0, random_state=3).fit_resample(X, y)[0]
    capsys.readouterr()
    loud = fast(verbose=2, random_state=3).fit_resample(X, y)[0]
    out = capsys.readouterr().out
    assert "class 1: 30 rows" in out
    assert out.count("Epoch ") >= 2 and "loss" in out
    np.testing.assert_allclose(loud, quiet, rtol=1e-4, atol=1e-5)


def test_latent_dim_auto_is_the_columns_the_vae_reads_up_to_8():
    rng = np.random.RandomState(0)
    y = np.r_[np.zeros(60, int), np.ones(20, int)]
    auto = {"epochs": 1, "hidden_layer_sizes": (8,), "random_state": 0}
    for n_columns, expected in ((3, 3), (12, 8)):
        X = rng.normal(size=(80, n_columns))
        sampler = VAEOverSampler(**auto)
        sampler.fit_resample(X, y)
        assert sampler.vaes_[1].latent_dim == expected
    frame = pd.DataFrame({"a": rng.normal(size=80), "c": rng.choice(list("pqrst"), 80)})
    sampler = VAEOverSampler(**auto)
    sampler.fit_resample(frame, y)
    assert sampler.vaes_[1].latent_dim == 6  # one numeric column and five categories


def _classes_of(sizes, seed=0):
    """A majority of 120 rows and one class of each size in ``sizes`` (labels 1, 2, ...)."""
    rng = np.random.RandomState(seed)
    X = np.vstack([rng.normal(loc=3 * k, size=(n, 3)) for k, n in enumerate([120, *sizes])])
    return X, np.repeat(np.arange(len(sizes) + 1), [120, *sizes])


def test_auto_sampling_depends_on_the_class_size_in_rows():
    """Tables: classes of at least 30 rows get posterior draws with their seeds' residuals;
    smaller ones interpolated points with the decoder's noise, class by class in one call,
    also in sample()."""
    from vae_oversampler._generation.generator import SMALL_CLASS_ROWS

    assert SMALL_CLASS_ROWS == 30
    X, y = _classes_of([29, 30])
    n_base = len(X)
    runs = {
        name: fast(random_state=4, **params).fit_resample(X, y)[0][n_base:]
        for name, params in {
            "auto": {},
            "small": {"latent_sampling": "interpolate", "decoder_output": "sample"},
            "large": {"latent_sampling": "posterior", "decoder_output": "residual"},
        }.items()
    }
    # New rows: class 1 (29 rows) first, 91 of them, then class 2 (30 rows), 90.
    parts = {name: (rows[:91], rows[91:]) for name, rows in runs.items()}
    assert len(runs["auto"]) == 91 + 90
    assert parts["auto"][0].tobytes() == parts["small"][0].tobytes()
    assert parts["auto"][1].tobytes() == parts["large"][1].tobytes()
    assert parts["auto"][0].tobytes() != parts["large"][0].tobytes()
    assert parts["auto"][1].tobytes() != parts["small"][1].tobytes()
    auto = fast(random_state=4)
    small = fast(random_state=4, latent_sampling="interpolate", decoder_output="sample")
    for sampler in (auto, small):
        sampler.fit_resample(X, y)
    rows = [sampler.sample(50, 1, random_state=3) for sampler in (auto, small)]
    assert rows[0].tobytes() == rows[1].tobytes()


def test_a_list_of_lists_comes_back_as_one(binary):
    X, y = binary
    rows, labels = X.tolist(), y.tolist()
    X_res, y_res = fast(random_state=2).fit_resample(rows, labels)
    assert type(X_res) is list and type(y_res) is list
    assert X_res[: len(rows)] == rows and y_res[: len(labels)] == labels
    array, _ = fast(random_state=2).fit_resample(X, y)
    assert np.array_equal(np.asarray(X_res), array)


def test_pipeline_grid_search_and_cross_validate(binary):
    X, y = binary
    pipe = make_pipeline(StandardScaler(), fast(), LogisticRegression())
    scores = cross_validate(pipe, X, y, cv=3, scoring="balanced_accuracy")
    assert len(scores["test_score"]) == 3 and (scores["test_score"] > 0.5).all()
    grid = GridSearchCV(pipe, {"vaeoversampler__beta": [0.5, 1.0]}, cv=2).fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert len(scores) == 2 and (scores > 0.5).all()


def test_import_does_not_import_keras_or_a_backend():
    code = (
        "import sys, vae_oversampler; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'keras', 'tensorflow', 'jax', 'torch'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
