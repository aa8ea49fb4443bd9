"""Latent points and category draws, without a trained model."""

import numpy as np

from vae_oversampler._generation import latent_neighbours, latent_points


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
