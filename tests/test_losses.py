"""The loss functions against their closed forms."""

import numpy as np
import pytest
from keras import ops
from scipy import stats

from vae_oversampler._models.losses import categorical_nll, gaussian_nll, kl_divergence, table_nll


def t(*arrays, dtype="float64"):
    """The arrays as tensors of the active backend: the losses take tensors, as the models
    pass them (PyTorch's operators refuse to mix a NumPy array with a tensor)."""
    tensors = [ops.convert_to_tensor(np.asarray(a, dtype=dtype), dtype=dtype) for a in arrays]
    return tensors[0] if len(tensors) == 1 else tensors


def test_gaussian_nll_matches_scipy():
    rng = np.random.RandomState(0)
    x, mean = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    log_var = rng.normal(size=3)
    expected = -stats.norm.logpdf(x, mean, np.exp(0.5 * log_var)).sum(axis=1)
    got = ops.convert_to_numpy(gaussian_nll(*t(x, mean, log_var)))
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_kl_divergence_closed_form():
    z_mean = np.array([[0.0, 0.0], [1.0, -2.0]])
    z_log_var = np.array([[0.0, 0.0], [np.log(4.0), 0.0]])
    got = ops.convert_to_numpy(kl_divergence(*t(z_mean, z_log_var)))
    # KL(N(m, s^2) || N(0, 1)) = (s^2 + m^2 - 1 - log s^2) / 2 per dimension.
    expected = [0.0, (4 + 1 - 1 - np.log(4)) / 2 + (1 + 4 - 1 - 0) / 2]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_categorical_nll_is_cross_entropy_per_block_on_any_leading_axes():
    rng = np.random.RandomState(0)
    sizes = (3, 2)
    logits = rng.normal(size=(4, 6, 5))  # members, rows, two blocks of logits
    codes = [rng.randint(size, size=(4, 6)) for size in sizes]
    x = np.concatenate([np.eye(size)[c] for size, c in zip(sizes, codes, strict=True)], axis=-1)
    expected = np.zeros((4, 6))
    start = 0
    for size, c in zip(sizes, codes, strict=True):
        block = logits[..., start : start + size]
        log_p = block - np.log(np.exp(block).sum(axis=-1, keepdims=True))
        expected -= np.take_along_axis(log_p, c[..., None], axis=-1)[..., 0]
        start += size
    got = ops.convert_to_numpy(categorical_nll(*t(x, logits), sizes))
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    rows = ops.convert_to_numpy(categorical_nll(*t(x[1], logits[1]), sizes))
    np.testing.assert_allclose(rows, expected[1], rtol=1e-6)


def test_table_nll_leaves_missing_cells_out_and_scores_the_indicators():
    rng = np.random.RandomState(0)
    numeric, output_numeric = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    log_var = rng.normal(size=3)
    codes = rng.randint(2, size=6)
    block, logits = np.eye(2)[codes], rng.normal(size=(6, 2))
    # Indicators for numeric column 1 and for the categorical column.
    holes = rng.rand(6, 2) < 0.5
    block[holes[:, 1]] = 0.0
    indicator_logits = rng.normal(size=(6, 2))
    x = np.hstack([numeric, block, holes.astype(float)]).astype("float32")
    output = np.hstack([output_numeric, logits, indicator_logits]).astype("float32")
    got = ops.convert_to_numpy(table_nll(*t(x, output, log_var, dtype="float32"), (2,), (1, -1)))
    gaussian = -stats.norm.logpdf(numeric, output_numeric, np.exp(0.5 * log_var))
    gaussian[:, 1] *= ~holes[:, 0]
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    categorical = -np.where(holes[:, 1], 0.0, log_p[np.arange(6), codes])
    p = 1 / (1 + np.exp(-indicator_logits))
    bernoulli = -(holes * np.log(p) + ~holes * np.log(1 - p)).sum(axis=1)
    np.testing.assert_allclose(got, gaussian.sum(axis=1) + categorical + bernoulli, rtol=1e-5)
    # The value under a missing cell does not matter.
    moved = x.copy()
    moved[holes[:, 0], 1] += 100.0
    again = ops.convert_to_numpy(
        table_nll(*t(moved, output, log_var, dtype="float32"), (2,), (1, -1))
    )
    np.testing.assert_allclose(again, got, rtol=1e-6)


def test_output_log_variance_is_bounded_smoothly_and_starts_below_the_bound():
    from vae_oversampler._models.tabular import (
        MAX_OUTPUT_LOG_VAR,
        MIN_OUTPUT_LOG_VAR,
        bounded_log_var,
        start_weight,
    )

    start = start_weight("sigmoid")
    weights = np.array([-60.0, -5.0, 0.0, start, 5.0, 60.0], dtype=np.float32)
    values = ops.convert_to_numpy(bounded_log_var(t(weights, dtype="float32"), "sigmoid"))
    assert (values >= MIN_OUTPUT_LOG_VAR).all() and (values <= MAX_OUTPUT_LOG_VAR).all()
    assert values[3] == pytest.approx(np.log(0.5), abs=1e-6)
    assert (np.diff(values) >= 0).all()
    # The slope does not vanish where training runs (here between -5 and 5): the weight can
    # move both ways. The hard clip of format 2 is flat just above its upper bound, where
    # 63-85% of the columns used to end.
    h = np.float32(1e-2)
    for name, points in (("sigmoid", weights[1:5]), ("clip", np.float32([0.01, 0.5]))):
        slope = (
            ops.convert_to_numpy(bounded_log_var(t(points + h, dtype="float32"), name))
            - ops.convert_to_numpy(bounded_log_var(t(points - h, dtype="float32"), name))
        ) / (2 * h)
        assert ((slope > 0.05) if name == "sigmoid" else (slope == 0)).all(), (name, slope)
    assert start_weight("clip") == 0.0


def test_trained_output_variance_learns_a_low_noise_class():
    """Columns that are nearly a function of one latent factor get a decoder variance well
    below the data's own: the log-variance moves down from its start (log 0.5), instead of
    staying at the upper bound 0 as the hard clip's did (0, or -0.49 for two columns)."""
    from vae_oversampler import VAEOverSampler

    rng = np.random.RandomState(0)
    t = rng.normal(size=(260, 1))
    X = np.hstack([t, 2 * t, -t, t**2]) + 0.05 * rng.normal(size=(260, 4))
    y = np.array([0] * 200 + [1] * 60)
    sampler = VAEOverSampler(random_state=0)
    sampler.fit_resample(X, y)
    log_var = ops.convert_to_numpy(sampler.vaes_[1].output_log_var())
    assert (log_var < -0.5).all(), log_var
    assert log_var.mean() < np.log(0.5) - 0.2, log_var
