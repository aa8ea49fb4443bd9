"""Pure loss functions of the VAE, written with ``keras.ops`` only.

They take tensors and return one value per row, so the model can average them and the tests
can check them against closed forms.
"""

import math

from keras import ops

_LOG_2PI = math.log(2.0 * math.pi)


def gaussian_nll(x, mean, log_var):
    """Negative log-likelihood of ``x`` under N(mean, exp(log_var)), summed over features.

    ``log_var`` broadcasts against ``x``: one value per feature is the usual case.
    """
    squared = ops.square(x - mean) * ops.exp(-log_var)
    return 0.5 * ops.sum(log_var + squared + _LOG_2PI, axis=-1)


def kl_divergence(z_mean, z_log_var):
    """KL(N(z_mean, exp(z_log_var)) || N(0, I)), summed over latent dimensions."""
    return -0.5 * ops.sum(1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)


def bernoulli_nll(x, logits):
    """Binary cross-entropy of ``x`` in [0, 1] against ``sigmoid(logits)``, summed over features.

    Written from the logits (``softplus(l) - x * l``) so that it stays finite where the
    sigmoid saturates.
    """
    return ops.sum(ops.softplus(logits) - x * logits, axis=-1)


def categorical_nll(x, logits, group_sizes):
    """Cross-entropy of one-hot blocks ``x`` against the softmax of ``logits``, summed over the
    blocks along the last axis; ``group_sizes`` gives each block's width, left to right. Any
    leading axes (rows, or members then rows) are kept."""
    total, start = 0.0, 0
    for size in group_sizes:
        block = slice(start, start + size)
        log_p = ops.log_softmax(logits[..., block], axis=-1)
        total = total - ops.sum(x[..., block] * log_p, axis=-1)
        start += size
    return total


def table_nll(x, output, log_var, group_sizes):
    """Negative log-likelihood of table rows whose last columns are the one-hot blocks of
    ``group_sizes``: Gaussian (``log_var`` per numeric column) for the numeric columns before
    them, categorical for each block. Any leading axes are kept, as for the functions above."""
    n = x.shape[-1] - sum(group_sizes)
    if not group_sizes:
        return gaussian_nll(x, output, log_var)
    nll = categorical_nll(x[..., n:], output[..., n:], group_sizes)
    if n:
        nll = nll + gaussian_nll(x[..., :n], output[..., :n], log_var)
    return nll
