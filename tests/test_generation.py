"""Latent points and category draws, without a trained model."""

import numpy as np

from vae_oversampler._generation.latent import (
    Origins,
    latent_neighbours,
    latent_points,
    nearest_rows,
)


def test_interpolated_points_lie_between_an_encoding_and_a_neighbour():
    rng = np.random.RandomState(0)
    z_mean = rng.normal(size=(12, 2)).astype(np.float32)
    neighbours = latent_neighbours(z_mean)
    assert neighbours.shape == (12, 5) and (neighbours != np.arange(12)[:, None]).all()
    z = latent_points(500, 2, np.random.RandomState(1), (z_mean, None), neighbours)
    # Each point is on the segment from some row to one of its listed neighbours.
    on_segment = np.zeros(len(z), dtype=bool)
    for i in range(12):
        for j in neighbours[i]:
            direction = z_mean[j] - z_mean[i]
            t = (z - z_mean[i]) @ direction / (direction @ direction)
            closest = z_mean[i] + np.clip(t, 0, 1)[:, None] * direction
            on_segment |= np.linalg.norm(z - closest, axis=1) < 1e-5
    assert on_segment.all()


def test_prior_points_are_standard_normal():
    z = latent_points(20_000, 3, np.random.RandomState(0))
    assert z.dtype == np.float32
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=0.03)
    np.testing.assert_allclose(z.std(axis=0), 1, atol=0.03)


def test_latent_points_report_the_rows_they_grew_from():
    rng = np.random.RandomState(0)
    z_mean = rng.normal(size=(12, 2)).astype(np.float32)
    z_log_var = np.full((12, 2), -20.0, dtype=np.float32)  # std 5e-5: points sit on rows
    z, origins = latent_points(300, 2, np.random.RandomState(1), (z_mean, z_log_var), None, True)
    np.testing.assert_allclose(z, z_mean[origins.rows], atol=1e-3)
    assert origins.partners is None
    # Asking for the rows does not change the points drawn.
    same = latent_points(300, 2, np.random.RandomState(1), (z_mean, z_log_var))
    np.testing.assert_array_equal(z, same)
    z, origins = latent_points(300, 2, np.random.RandomState(1), return_rows=True)
    assert origins is None and z.shape == (300, 2)


def test_interpolated_points_blend_their_rows_values_as_their_encodings():
    rng = np.random.RandomState(0)
    z_mean = rng.normal(size=(12, 2)).astype(np.float32)
    neighbours = latent_neighbours(z_mean)
    z, origins = latent_points(400, 2, np.random.RandomState(1), (z_mean, None), neighbours, True)
    assert ((origins.step >= 0) & (origins.step < 1)).all()
    assert (neighbours[origins.rows] == origins.partners[:, None]).any(axis=1).all()
    # The same mix: values that are a linear map of the encodings blend to the map of the
    # point, so with a linear decoder a new row is SMOTE's point between the two rows.
    weights = np.array([[1.0, -2.0, 0.5, 3.0], [0.0, 1.0, -1.0, 2.0]], np.float32)
    blended = origins.blend(z_mean @ weights)
    assert blended.dtype == np.float32
    np.testing.assert_allclose(blended, z @ weights, atol=1e-5)
    values = rng.normal(size=(12, 4)).astype(np.float32)
    ends = Origins(np.array([0, 3]), np.array([5, 7]), np.array([0.0, 0.25]))
    np.testing.assert_allclose(
        ends.blend(values), [values[0], 0.75 * values[3] + 0.25 * values[7]], rtol=1e-6
    )


def test_nearest_rows():
    z_mean = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    z = np.array([[1.0, 1.0], [9.0, -1.0], [-1.0, 12.0], [6.0, 0.0]])
    np.testing.assert_array_equal(nearest_rows(z, z_mean), [0, 1, 2, 1])


class _Logits:
    """A stand-in decoder: one numeric column, then a 3-category block favouring the last."""

    n_numeric, categorical_sizes, missing_columns = 1, (3,), ()

    def decode(self, z):
        return np.tile(np.array([[0.0, 0.0, 1.0, 9.0]], dtype=np.float32), (len(z), 1))


def test_categories_the_class_does_not_hold_are_never_drawn():
    from vae_oversampler._generation.latent import decode

    z = np.zeros((2000, 2), dtype=np.float32)
    present = np.array([True, True, False])
    _, drawn, _ = decode(_Logits(), z, rng=np.random.RandomState(0), present=present)
    _, likeliest, _ = decode(_Logits(), z, present=present)
    assert set(drawn[:, 0].tolist()) == {0, 1} and set(likeliest[:, 0].tolist()) == {1}
    _, unmasked, _ = decode(_Logits(), z, rng=np.random.RandomState(0))
    assert (unmasked[:, 0] == 2).mean() > 0.99
