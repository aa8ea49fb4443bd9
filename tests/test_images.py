"""Image rows (``image_shape``): shapes, pixel ranges, dtypes, counts and recognisable digits."""

import copy
import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from vae_oversampler import VAEOverSampler

FAST = {"image_shape": (8, 8, 1), "latent_dim": 2, "epochs": 5, "random_state": 0}


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's 8x8 digits as 0-255 uint8 rows, with nine in ten of the zeros dropped."""
    X, y = load_digits(return_X_y=True)
    keep = (y != 0) | (np.arange(len(y)) % 10 == 0)
    return np.rint(X[keep] * 255 / 16).astype(np.uint8), y[keep]


@pytest.fixture(scope="module")
def fitted(digits):
    X, y = digits
    sampler = VAEOverSampler(**{**FAST, "epochs": 30}, sampling_strategy={0: 150, 1: 200})
    return sampler, *sampler.fit_resample(X, y)


def test_uint8_images_come_back_as_whole_pixels_in_range(digits, fitted):
    X = digits[0]
    _, X_res, y_res = fitted
    assert X_res.dtype == np.uint8 and X_res.shape == (len(X) + 139 + 18, 64)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    assert np.bincount(y_res)[[0, 1]].tolist() == [150, 200]
    new = X_res[len(X) :]
    # The generated digits use the pixel range, from black background to white strokes.
    assert new.min() == 0 and new.max() >= 200


def test_generated_digits_are_read_as_their_digit(digits, fitted):
    """A classifier trained on real digits reads nearly every generated digit as intended."""
    X, y = load_digits(return_X_y=True)
    reader = LogisticRegression(max_iter=2000).fit(X / 16, y)
    _, X_res, y_res = fitted
    n = len(digits[0])
    predicted = reader.predict(X_res[n:] / 255 * 16)
    assert (predicted == y_res[n:]).mean() >= 0.9


def test_images_default_to_interpolated_points_with_residuals(digits, fitted):
    """Class 0 has 18 images: the small-table-class rule does not apply to images."""
    sampler = copy.copy(fitted[0])
    default = sampler.sample(60, 0, random_state=3)
    explicit = sampler.set_params(latent_sampling="interpolate", decoder_output="residual")
    np.testing.assert_array_equal(explicit.sample(60, 0, random_state=3), default)
    # Images have no learned pixel noise: "sample" gives the intensities, as "mean" does.
    means = sampler.set_params(decoder_output="mean").sample(60, 0, random_state=3)
    samples = sampler.set_params(decoder_output="sample").sample(60, 0, random_state=3)
    np.testing.assert_array_equal(samples, means)
    assert not np.array_equal(means, default)


def test_residual_images_keep_the_sharp_strokes_of_real_ones(digits, fitted):
    """The decoder's intensities are grey and blurred; with the residuals of the real images
    they grew from, new digits have about as few mid-grey pixels as real ones."""
    X, y = digits
    sampler = copy.copy(fitted[0])

    def grey(images):
        return ((images > 48) & (images < 208)).mean()

    real = grey(X[y == 1])
    for mode in ["posterior", "interpolate"]:
        sampler.set_params(latent_sampling=mode, latent_spread=1.0)
        blurred = grey(sampler.set_params(decoder_output="mean").sample(400, 1, random_state=0))
        sharp = grey(sampler.set_params(decoder_output="residual").sample(400, 1, random_state=0))
        assert abs(sharp - real) < 0.5 * abs(blurred - real), (mode, real, blurred, sharp)


def test_a_wider_posterior_spread_moves_digits_further_from_the_training_images(digits, fitted):
    """Posterior points at 3 times the posterior's spread make digits further from their
    nearest training image than at its own spread."""
    from sklearn.neighbors import NearestNeighbors

    X, y = digits
    sampler = copy.copy(fitted[0])
    search = NearestNeighbors(n_neighbors=1).fit(X[y == 1].astype(float))

    def median_distance(**params):
        new = sampler.set_params(**params).sample(400, 1, random_state=0).astype(float)
        return np.median(search.kneighbors(new)[0])

    sampler.set_params(latent_sampling="posterior", decoder_output="residual")
    assert median_distance(latent_spread=3.0) > 1.3 * median_distance(latent_spread=1.0)


def test_float_images_stay_in_unit_range_and_match_the_uint8_fit(digits, fitted):
    X, y = digits
    sampler = VAEOverSampler(**{**FAST, "epochs": 30}, sampling_strategy={0: 150, 1: 200})
    X_res, _ = sampler.fit_resample(X / 255.0, y)
    new = X_res[len(X) :]
    assert X_res.dtype == np.float64 and 0.0 <= new.min() and new.max() <= 1.0
    # Same pixels after scaling to [0, 1], same seeds: the same images as the uint8 fit.
    np.testing.assert_allclose(new * 255, fitted[1][len(X) :], atol=0.5 + 1e-9)


@pytest.mark.parametrize("shape", [(7, 9, 2), (32, 32, 3)])
def test_other_image_shapes(shape):
    rng = np.random.RandomState(0)
    n_features = int(np.prod(shape))
    X = rng.rand(60, n_features).astype(np.float32)
    y = np.r_[np.zeros(45, int), np.ones(15, int)]
    sampler = VAEOverSampler(image_shape=shape, epochs=1, latent_dim=3, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape == (90, n_features) and X_res.dtype == np.float32
    assert (y_res[60:] == 1).all() and 0 <= X_res.min() and X_res.max() <= 1
    assert sampler.vaes_[1].image_shape == shape


def test_image_resampling_is_reproducible_and_pickles(digits):
    X, y = digits
    first = VAEOverSampler(**FAST, sampling_strategy={0: 40})
    a, _ = first.fit_resample(X, y)
    b, _ = VAEOverSampler(**FAST, sampling_strategy={0: 40}).fit_resample(X, y)
    assert a.tobytes() == b.tobytes()
    copy = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(
        copy.sample(5, 0, random_state=1), first.sample(5, 0, random_state=1)
    )


@pytest.mark.parametrize(
    "image_shape, match",
    [
        ((8, 8), r"three positive integers.*image_shape=\(28, 28, 1\)"),
        ((8, 8, 0), "three positive integers"),
        ((28, 28, 1), r"holds 784 values per image, but X has 64 features"),
    ],
)
def test_bad_image_shape_says_how_to_fix_it(digits, image_shape, match):
    X, y = digits
    with pytest.raises(ValueError, match=match):
        VAEOverSampler(image_shape=image_shape).fit_resample(X, y)


@pytest.mark.parametrize("bad", [-1.0, 300.0])
def test_pixels_outside_0_255_are_rejected(digits, bad):
    X, y = digits
    X = X.astype(float)
    X[0, 0] = bad
    with pytest.raises(ValueError, match=r"pixel values in \[0, 1\] or 0-255.*Rescale"):
        VAEOverSampler(image_shape=(8, 8, 1)).fit_resample(X, y)
