"""imbalanced-learn's and scikit-learn's own check suites, with no expected failures."""

from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks
from sklearn.utils.estimator_checks import parametrize_with_checks as sklearn_checks

from vae_oversampler import VAEOverSampler


def fast_sampler():
    return VAEOverSampler(epochs=2, hidden_layer_sizes=(8,), latent_dim=2, random_state=0)


@imblearn_checks([fast_sampler()])
def test_imblearn_checks(estimator, check):
    check(estimator)


@sklearn_checks([fast_sampler()])
def test_sklearn_checks(estimator, check):
    check(estimator)
