"""vae_oversampler.metrics: copies, distances to the closest training row, two-sample AUC."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler
from sklearn.linear_model import LogisticRegression

from vae_oversampler import VAEOverSampler
from vae_oversampler.metrics import copy_share, distance_ratio, fidelity_report, two_sample_auc

matplotlib.use("Agg")

RNG = np.random.default_rng(0)
TRAIN = RNG.normal(size=(200, 3))
HELD_OUT = RNG.normal(size=(150, 3))


def test_copy_share_counts_exact_copies_only():
    generated = np.vstack([TRAIN[:30], TRAIN[:10] + 1e-9, RNG.normal(size=(60, 3))])
    assert copy_share(TRAIN, generated) == pytest.approx(0.30)
    assert copy_share(TRAIN, TRAIN) == 1.0
    assert copy_share(TRAIN, HELD_OUT) == 0.0
    # -0.0 equals 0.0
    assert copy_share(np.zeros((2, 3)), -np.zeros((4, 3))) == 1.0


def test_distance_ratio_is_zero_for_copies_and_near_one_for_real_rows():
    assert np.array_equal(distance_ratio(TRAIN, TRAIN[:20]), np.zeros(20))
    held_out = np.median(distance_ratio(TRAIN, HELD_OUT))
    assert 0.8 < held_out < 2.0
    assert np.median(distance_ratio(TRAIN, 3 + HELD_OUT)) > 5 * held_out


def test_distance_ratio_standardizes_columns_by_the_training_rows():
    stretch = np.array([1000.0, 1.0, 1.0])
    plain = distance_ratio(TRAIN, HELD_OUT)
    assert np.allclose(distance_ratio(TRAIN * stretch, HELD_OUT * stretch), plain)
    raw = distance_ratio(TRAIN * stretch, HELD_OUT * stretch, standardize=False)
    assert not np.allclose(raw, plain)


def test_two_sample_auc_separates_shifted_rows_and_not_same_distribution():
    same = two_sample_auc(HELD_OUT, RNG.normal(size=(300, 3)), random_state=0)
    assert abs(same - 0.5) < 0.1
    assert two_sample_auc(HELD_OUT, HELD_OUT[:, ::-1] * 0.2 + 2, random_state=0) > 0.95


def test_two_sample_auc_is_reproducible_and_takes_an_estimator():
    generated = RNG.normal(0.3, 1.0, size=(400, 3))
    first = two_sample_auc(HELD_OUT, generated, random_state=3)
    assert first == two_sample_auc(HELD_OUT, generated, random_state=3)
    linear = two_sample_auc(HELD_OUT, generated, estimator=LogisticRegression(), random_state=3)
    assert linear != first and 0.5 < linear < 0.8


def test_frames_with_categorical_columns_are_one_hot_encoded_together():
    train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "c": pd.Categorical(list("abab"))})
    generated = pd.DataFrame({"x": [0.0, 1.0, 0.0], "c": pd.Categorical(list("aac"))})
    # (0, a) copies row 0; (1, a) is not a row; (0, c) has a category train lacks
    assert copy_share(train, generated) == pytest.approx(1 / 3)
    assert distance_ratio(train, generated)[0] == 0.0


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((TRAIN, np.r_[HELD_OUT[:-1], [[np.nan, 0, 0]]]), "missing or infinite values"),
        ((TRAIN, HELD_OUT[:, :2]), "same columns, got widths \\[2, 3\\]"),
        ((pd.DataFrame(TRAIN), HELD_OUT), "as DataFrames or all as arrays"),
        ((TRAIN, np.empty((0, 3))), "at least one row"),
        ((pd.DataFrame(TRAIN), pd.DataFrame(HELD_OUT, columns=[5, 6, 7])), "different columns"),
    ],
)
def test_bad_tables_are_refused_with_the_fix(args, match):
    with pytest.raises(ValueError, match=match):
        copy_share(*args)


def test_two_sample_auc_needs_enough_rows_per_fold():
    with pytest.raises(ValueError, match="at least cv=5 rows of each kind, got 3 real"):
        two_sample_auc(HELD_OUT[:3], TRAIN)
    with pytest.raises(ValueError, match="cv must be an integer of at least 2"):
        two_sample_auc(HELD_OUT, TRAIN, cv=1)


def test_fidelity_report_tells_copies_from_new_rows():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(size=(400, 4)), rng.normal(2.0, 0.5, size=(120, 4))])
    y = np.r_[np.zeros(400), np.ones(120)]
    train = np.r_[np.ones(400, bool), np.arange(120) < 60]
    reports = {}
    for sampler in [VAEOverSampler(epochs=10, random_state=0), RandomOverSampler(random_state=0)]:
        X_res, y_res = sampler.fit_resample(X[train], y[train])
        assert (y_res[train.sum() :] == 1).all()
        generated = X_res[train.sum() :]
        reports[type(sampler).__name__] = fidelity_report(
            X[train & (y == 1)], X[~train], generated, random_state=0
        )
    vae, copies = reports["VAEOverSampler"], reports["RandomOverSampler"]
    assert copies["copy_share"] == 1.0 and copies["distance_ratio"] == 0.0
    assert vae["copy_share"] == 0.0
    assert 0.0 < vae["distance_ratio"] < vae["held_out_distance_ratio"]
    assert vae["held_out_distance_ratio"] == copies["held_out_distance_ratio"]
    assert 0.4 < vae["two_sample_auc"] < 0.9


def test_plot_fidelity_titles_carry_the_measures():
    from vae_oversampler.plotting import plot_fidelity

    generated = np.vstack([TRAIN[:10], RNG.normal(size=(90, 3))])
    fig = plot_fidelity(TRAIN, HELD_OUT, generated, title="class 1")
    left, right = fig.axes
    assert left.get_title() == "copies of training rows: 10.0%"
    auc = two_sample_auc(HELD_OUT, generated, random_state=0)
    assert right.get_title() == f"two-sample AUC, generated vs held-out: {auc:.3f}"
    assert fig.get_suptitle() == "class 1"
