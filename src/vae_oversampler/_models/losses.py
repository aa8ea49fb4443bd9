"""Pure loss functions of the VAE, written with ``keras.ops`` only.

They take tensors and return one value per row, so the model can average them and the tests
can check them against closed forms.
"""

import math

import numpy as np
from keras import ops

_LOG_2PI = math.log(2.0 * math.pi)


def gaussian_nll(x, mean, log_var, observed=None):
    """Negative log-likelihood of ``x`` under N(mean, exp(log_var)), summed over features.

    ``log_var`` broadcasts against ``x``: one value per feature is the usual case.
    ``observed``, 1 for an observed cell and 0 for a missing one (shaped like ``x``), leaves
    the missing cells out of the sum.
    """
    squared = ops.square(x - mean) * ops.exp(-log_var)
    cells = log_var + squared + _LOG_2PI
    if observed is not None:
        cells = cells * observed
    return 0.5 * ops.sum(cells, axis=-1)


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


def table_nll(x, output, log_var, group_sizes, missing_columns=()):
    """Negative log-likelihood of table rows: numeric columns, then the one-hot blocks of
    ``group_sizes``, then one missingness indicator (1 for a missing cell) per entry of
    ``missing_columns``.

    Numeric columns are Gaussian (``log_var`` per column), each block categorical, each
    indicator Bernoulli (``output`` holds its logit). Entry ``i`` of ``missing_columns`` is the
    position among the numeric columns of the column that indicator ``i`` marks, whose missing
    cells then add no Gaussian term, or -1 for a categorical column (a missing category's
    block is all zeros, which adds no cross-entropy). Without indicators this is exactly the
    loss of a complete table. Any leading axes are kept, as for the functions above."""
    if not missing_columns:
        return _complete_nll(x, output, log_var, group_sizes)
    width = x.shape[-1] - len(missing_columns)
    n = width - sum(group_sizes)
    indicators = x[..., width:]
    nll = bernoulli_nll(indicators, output[..., width:])
    if group_sizes:
        nll = nll + categorical_nll(x[..., n:width], output[..., n:width], group_sizes)
    if n:
        observed = 1.0 - ops.matmul(indicators, _selection(missing_columns, n))
        nll = nll + gaussian_nll(x[..., :n], output[..., :n], log_var, observed)
    return nll


def _complete_nll(x, output, log_var, group_sizes):
    n = x.shape[-1] - sum(group_sizes)
    if not group_sizes:
        return gaussian_nll(x, output, log_var)
    nll = categorical_nll(x[..., n:], output[..., n:], group_sizes)
    if n:
        nll = nll + gaussian_nll(x[..., :n], output[..., :n], log_var)
    return nll


def _selection(missing_columns, n_numeric):
    """The 0/1 matrix that maps indicators to the numeric columns they mark."""
    matrix = np.zeros((len(missing_columns), n_numeric), dtype="float32")
    for i, column in enumerate(missing_columns):
        if column >= 0:
            matrix[i, column] = 1.0
    return ops.convert_to_tensor(matrix)
