"""Training faults never reach the caller: a diverged class is retried once at a lower learning
rate, then refused with an error that names it; extreme values are scaled, not overflowed."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_classification
from sklearn.preprocessing import StandardScaler

from vae_oversampler import VAEOverSampler
from vae_oversampler._data.codec import cast_like
from vae_oversampler._data.scaling import fit_standard_scaler
from vae_oversampler._generation import generator as generator_module
from vae_oversampler._training.callbacks import MemberEarlyStopping
from vae_oversampler._training.train import divergence
from vae_oversampler.exceptions import TrainingDivergedError


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=300, n_features=5, weights=[0.85], random_state=0)


def test_a_run_that_diverges_twice_is_refused_with_the_class_named(data):
    X, y = data
    X_before = X.copy()
    sampler = VAEOverSampler(learning_rate=1e6, random_state=0)
    with pytest.raises(
        TrainingDivergedError,
        match=r"class 1 diverged with learning_rate=1e\+06 \(loss was nan in epoch 1\), and "
        r"again after a fresh start with learning_rate=100000 .*Lower learning_rate",
    ):
        sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X, X_before)
    assert not hasattr(sampler, "vaes_")


def test_a_diverged_run_is_retried_from_its_fresh_start_at_a_tenth_of_the_rate(data):
    # On this data learning_rate=1 gives NaN losses and 0.1 converges.
    X, y = data
    with pytest.warns(
        RuntimeWarning, match=r"class 1 diverged \(loss was nan.*learning_rate=0\.1"
    ):
        X_res, y_res = VAEOverSampler(learning_rate=1.0, random_state=0).fit_resample(X, y)
    assert np.isfinite(X_res).all()
    assert np.bincount(y_res).tolist() == [np.sum(y == 0)] * 2
    # The retry is exactly a fresh run at the lower rate: same seeds, same start.
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        X_low, _ = VAEOverSampler(learning_rate=0.1, random_state=0).fit_resample(X, y)
    assert X_res.tobytes() == X_low.tobytes()


def test_image_training_faults_are_caught_too():
    digits = load_digits()
    X, y = digits.data[:200], (digits.target[:200] == 0).astype(int)
    with pytest.raises(TrainingDivergedError, match="class 1 diverged"):
        VAEOverSampler(
            image_shape=(8, 8, 1), learning_rate=1e30, epochs=2, random_state=0
        ).fit_resample(X, y)


def test_a_member_of_a_stack_that_diverges_stops_alone():
    class Stack:
        n_members, beta, stop_training = 2, 1.0, False

        def member_weights(self, members):
            return [[np.full(2, k, dtype=np.float32)] for k in members]

    stopping = MemberEarlyStopping(patience=5, monitored=[0, 1])
    stopping.set_model(Stack())
    stopping.on_train_begin()
    finite = {"reconstruction_loss": [1.0, 1.0], "kl_loss": [0.5, 0.5]}
    logs = {**finite, "val_reconstruction_loss": [1.0, np.nan], "val_kl_loss": [0.5, 0.5]}
    stopping.on_epoch_end(0, logs)
    assert stopping.stopped == [False, True]
    assert not stopping.model.stop_training
    assert np.isnan(stopping.histories[1]["val_loss"][0])
    stopping.on_epoch_end(
        1, {**finite, "val_reconstruction_loss": [0.9, 0.9], "val_kl_loss": [0.5] * 2}
    )
    assert len(stopping.histories[0]["loss"]) == 2 and len(stopping.histories[1]["loss"]) == 1
    assert divergence(stopping.histories[1], [np.zeros(2)]).startswith("val_loss was nan")
    assert divergence(stopping.histories[0], [np.zeros(2)]) is None
    assert divergence(stopping.histories[0], [np.array([np.inf])]) == (
        "its weights became non-finite"
    )


def test_non_finite_decoded_values_never_reach_the_caller(data, monkeypatch):
    X, y = data
    real_decode = generator_module.decode

    def broken_decode(*args, **kwargs):
        numeric, codes, missing_logits = real_decode(*args, **kwargs)
        numeric[0, 0] = np.nan
        return numeric, codes, missing_logits

    monkeypatch.setattr(generator_module, "decode", broken_decode)
    with pytest.raises(TrainingDivergedError, match="class 1 decoded non-finite values"):
        VAEOverSampler(epochs=2, random_state=0).fit_resample(X, y)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("constant", [True, False])
def test_values_whose_squares_overflow_are_scaled_and_come_back_finite(data, dtype, constant):
    X, y = data
    big = 1e200 if dtype == np.float64 else 1e30
    X = X.astype(dtype)
    minority = y == 1
    X[minority, 2] = big if constant else big * np.linspace(0.1, 1.0, minority.sum())
    X_res, _ = VAEOverSampler(epochs=3, random_state=0).fit_resample(X, y)
    new = X_res[len(X) :]
    assert X_res.dtype == dtype and np.isfinite(new).all()
    assert (new[:, 2] >= X[minority, 2].min()).all() and (new[:, 2] <= X[minority, 2].max()).all()
    if constant:
        # A column the class holds at one value gets that value back, bit for bit.
        assert (new[:, 2] == dtype(big)).all()


def _symmetric_huge(big):
    # Symmetric values: scikit-learn reports scale_ = 1 for their overflowed variance.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = np.r_[np.zeros(170, int), np.ones(30, int)]
    X[y == 1, 0] = rng.choice([-big, big], 30)
    return X, y


@pytest.mark.parametrize("clip", [True, False])
def test_values_near_the_float64_limit_train_and_stay_finite(clip):
    big = 1e300
    X, y = _symmetric_huge(big)
    X_res, _ = VAEOverSampler(epochs=3, clip=clip, random_state=0).fit_resample(X, y)
    new = X_res[len(X) :]
    assert np.isfinite(new).all()
    if clip:
        assert (np.abs(new[:, 0]) <= big).all()


def test_values_at_the_float64_limit_get_an_error_that_names_the_column():
    X, y = _symmetric_huge(np.finfo(np.float64).max)
    with pytest.raises(ValueError, match=r"Column 0 holds values up to 1.8e\+308 .*logarithm"):
        VAEOverSampler(epochs=3, random_state=0).fit_resample(X, y)


def test_scaler_of_huge_values_matches_the_scaler_of_the_values_divided():
    rng = np.random.RandomState(0)
    x = np.column_stack([rng.standard_normal(100) * 1e200, rng.standard_normal(100)])
    scaler = fit_standard_scaler(x)
    # The largest magnitude is m * 2**e with m in [0.5, 1): the column is divided by 2**(e-1).
    divisor = [2.0 ** (np.frexp(np.abs(x[:, 0]).max())[1] - 1), 1.0]
    divided = StandardScaler().fit(x / divisor)
    np.testing.assert_allclose(scaler.mean_, divided.mean_ * divisor, rtol=1e-12)
    np.testing.assert_allclose(scaler.scale_, divided.scale_ * divisor, rtol=1e-12)
    z = scaler.transform(x)
    assert np.isfinite(z).all() and abs(z.std(axis=0) - 1).max() < 1e-9
    np.testing.assert_allclose(scaler.inverse_transform(z), x, rtol=1e-9)


def test_floats_beyond_the_dtype_are_clipped_to_its_finite_range():
    values = np.array([[1e39, -1e39, 1.5]])
    out = cast_like(values, np.float32)
    assert np.isfinite(out).all()
    assert out.tolist() == [[np.finfo(np.float32).max, np.finfo(np.float32).min, 1.5]]
