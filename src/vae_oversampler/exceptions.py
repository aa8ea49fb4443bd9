"""Errors the sampler raises beyond scikit-learn's own."""


class TrainingDivergedError(RuntimeError):
    """A class's VAE could not be trained to finite weights and losses.

    Raised by ``fit_resample`` when a class's training run diverged (a loss or a weight became
    NaN or infinite) and the one retry from a fresh start, at a tenth of the learning rate,
    diverged too, or when a trained VAE decoded non-finite values. The message names the class
    and what to change; no rows are returned.
    """
