"""Several classes' tabular VAEs trained side by side in one Keras model.

A small class's training step is a few microseconds of arithmetic wrapped in a fixed cost per
operation, per compiled call and per epoch. ``StackedTabularVAE`` holds ``n_members``
independent ``TabularVAE`` networks as weights with a leading member axis, so one step runs
every member's forward and backward pass through the same batched operations and the fixed
costs are paid once for all of them. Members share nothing but the operations: each has its
own weights, rows, optimizer moments (Adam works element by element) and loss term, and the
gradient of the summed loss with respect to a member's weights is that member's own gradient.

Rows arrive as ``(batch, n_members, n_features)``, so that Keras slices batches along the first
axis as usual; member ``k`` reads ``x[:, k]``. Importing this module imports Keras.
"""

from itertools import pairwise

import keras
import numpy as np
from keras import ops

from .initializers import glorot_uniform
from .losses import kl_divergence, table_nll
from .tabular import bounded_log_var, check_output_variance, start_weight

# Stacks of up to this many members multiply each member's rows on their own (see ``_chain``);
# the library's stacks hold at most 8 (``_training.train.MAX_STACK_MEMBERS``).
MAX_SPLIT_MEMBERS = 8


class MemberMean(keras.metrics.Metric):
    """Running mean of one value per member, over the steps of an epoch."""

    def __init__(self, n_members, name, **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_variable(shape=(n_members,), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, values):
        self.total.assign_add(ops.cast(values, self.total.dtype))
        self.count.assign_add(ops.cast(1, self.count.dtype))

    def result(self):
        return self.total / ops.maximum(self.count, 1.0)


@keras.saving.register_keras_serializable(package="vae_oversampler")
class StackedTabularVAE(keras.Model):
    """``n_members`` independent ``TabularVAE`` networks of one architecture, trained at once.

    Member ``k`` starts exactly as ``TabularVAE(..., seed=seeds[k])`` does, and
    :meth:`member_weights` returns its weights in ``TabularVAE.get_weights`` order, so a
    trained member becomes an ordinary ``TabularVAE``. The loss is the sum over members of each
    member's mean reconstruction term plus ``beta`` times its mean KL divergence; the metrics
    ``reconstruction_loss`` and ``kl_loss`` hold one value per member.

    Parameters
    ----------
    n_members : int
        Number of networks.
    n_features, latent_dim, hidden_layer_sizes, beta, categorical_sizes, missing_columns
        As for ``TabularVAE``, shared by every member.
    output_variance : {"sigmoid", "clip"}
        As for ``TabularVAE``.
    seeds : sequence of int
        One seed per member for its starting weights; the first also seeds the
        reparameterisation noise of the whole stack.
    """

    def __init__(
        self,
        n_members,
        n_features,
        latent_dim=2,
        hidden_layer_sizes=(64, 64),
        beta=1.0,
        seeds=None,
        categorical_sizes=(),
        missing_columns=(),
        output_variance="clip",
        **kwargs,
    ):
        # A fixed name, as for VariationalAutoencoder (see there).
        kwargs.setdefault("name", "stacked_vae")
        super().__init__(**kwargs)
        self.n_members = int(n_members)
        self.n_features = int(n_features)
        self.latent_dim = int(latent_dim)
        self.hidden_layer_sizes = tuple(int(h) for h in hidden_layer_sizes)
        self.beta = float(beta)
        self.seeds = tuple(int(s) for s in (seeds if seeds is not None else [0] * n_members))
        self.categorical_sizes = tuple(int(s) for s in categorical_sizes)
        self.missing_columns = tuple(int(c) for c in missing_columns)
        self.output_variance = check_output_variance(output_variance)
        self.seed_generator = keras.random.SeedGenerator(self.seeds[0], name="seed_generator")
        self.skip_stopped(None)
        self.reconstruction_tracker = MemberMean(self.n_members, name="reconstruction_loss")
        self.kl_tracker = MemberMean(self.n_members, name="kl_loss")

    @property
    def n_numeric(self) -> int:
        """Numeric columns at the start of a row."""
        return self.n_features - sum(self.categorical_sizes) - len(self.missing_columns)

    def _dense(self, n_in, n_out, name):
        kernel = self.add_weight(
            shape=(self.n_members, n_in, n_out), initializer="zeros", name=f"{name}_kernel"
        )
        bias = self.add_weight(
            shape=(self.n_members, n_out), initializer="zeros", name=f"{name}_bias"
        )
        return kernel, bias

    def build(self, input_shape=None):
        self.x_log_var = self.add_weight(
            shape=(self.n_members, self.n_numeric),
            initializer="zeros",
            trainable=self.n_numeric > 0,
            name="x_log_var",
        )
        hidden = self.hidden_layer_sizes
        self.encoder_layers = [
            self._dense(a, b, f"encoder_{i}")
            for i, (a, b) in enumerate(pairwise([self.n_features, *hidden]))
        ]
        self.z_mean_layer = self._dense(hidden[-1], self.latent_dim, "z_mean")
        self.z_log_var_layer = self._dense(hidden[-1], self.latent_dim, "z_log_var")
        self.decoder_layers = [
            self._dense(a, b, f"decoder_{i}")
            for i, (a, b) in enumerate(pairwise([self.latent_dim, *hidden[::-1]]))
        ]
        self.x_mean_layer = self._dense(hidden[0], self.n_features, "x_mean")
        self.built = True
        self.reinitialize(self.seeds)

    def reinitialize(self, seeds):
        """Put member ``k`` in the starting state of ``TabularVAE(seed=seeds[k])``, and restart
        the noise from ``seeds[0]``.

        The kernels are drawn in ``TabularVAE.reinitialize``'s order from each member's own
        ``numpy.random.RandomState``; biases and the ``z_log_var`` kernel start at zero, the
        output log-variance weight at ``start_weight(output_variance)``.
        """
        seeds = tuple(int(s) for s in seeds)
        if len(seeds) != self.n_members:
            raise ValueError(f"Expected {self.n_members} seeds, got {len(seeds)}.")
        self.seeds = seeds
        drawn = [*self.encoder_layers, self.z_mean_layer, *self.decoder_layers, self.x_mean_layer]
        rngs = [np.random.RandomState(seed) for seed in seeds]
        for kernel, _ in drawn:
            shape = kernel.shape[1:]
            kernel.assign(np.stack([glorot_uniform(shape, rng) for rng in rngs]))
        kernel, _ = self.z_log_var_layer
        kernel.assign(np.zeros(kernel.shape, "float32"))
        for _, bias in [*drawn, self.z_log_var_layer]:
            bias.assign(np.zeros(bias.shape, "float32"))
        start = start_weight(self.output_variance)
        self.x_log_var.assign(np.full(self.x_log_var.shape, start, "float32"))
        state = self.seed_generator.state
        state.assign(np.array([seeds[0], 0], dtype=state.dtype))

    def member_variables(self) -> list:
        """Every weight variable, in the order ``TabularVAE.set_weights`` takes a member's."""
        layers = [
            *self.encoder_layers,
            self.z_mean_layer,
            self.z_log_var_layer,
            *self.decoder_layers,
            self.x_mean_layer,
        ]
        return [self.x_log_var, *(variable for layer in layers for variable in layer)]

    def set_member_weights(self, weights: list) -> None:
        """Give member ``k`` the weights ``weights[k]`` (in ``TabularVAE.get_weights``
        order), for every member."""
        if len(weights) != self.n_members:
            raise ValueError(f"Expected {self.n_members} members' weights, got {len(weights)}.")
        for i, variable in enumerate(self.member_variables()):
            variable.assign(np.stack([np.asarray(w[i], "float32") for w in weights]))

    def member_weights(self, members) -> list:
        """The weights of each member in ``members``, each a list in the order
        ``TabularVAE.set_weights`` takes them."""
        values = [ops.convert_to_numpy(variable) for variable in self.member_variables()]
        return [[value[k].copy() for value in values] for k in members]

    def skip_stopped(self, active) -> None:
        """Let the members whose entry of ``active`` (a boolean variable of the backend, one
        entry per member, read at every step) is False skip their arithmetic: their outputs
        are zeros, so they cost nearly nothing once early stopping has stopped them. ``None``
        turns it off. Only the compiled TensorFlow loop sets it (``_training.tf_loop``).

        It acts in stacks of at most ``MAX_SPLIT_MEMBERS``, whose members' products run on
        their own (see :meth:`_chain`); the active members' numbers stay the same bit for
        bit, since a stopped member's gradient is zero, which adds exactly nothing to the
        others'. A bigger stack's batched products run every member.
        """
        # Not a tracked Keras variable: it is not a weight, and is never saved.
        object.__setattr__(self, "active_members", active)

    def _split(self) -> bool:
        """Whether each member's products run on their own (see :meth:`_chain`)."""
        return self.n_members <= MAX_SPLIT_MEMBERS

    def _per_member(self, function, inputs, widths):
        """``function(k, *member_inputs)`` for each member ``k`` (``inputs`` have a leading
        member axis), stacked; a member that :meth:`skip_stopped` marks inactive gets zeros
        of ``widths`` columns instead, without running ``function``."""
        active = self.active_members
        rows = ops.shape(inputs[0])[1]
        # One unstack per input for all members, rather than a slice per member: its gradient
        # is one stack of the members' gradients, where slices would each scatter theirs
        # into a zero tensor of the whole stack's shape, to be summed.
        unstacked = [
            ops.unstack(ops.convert_to_tensor(x), num=self.n_members, axis=0) for x in inputs
        ]
        outputs = []
        for k in range(self.n_members):
            member_inputs = [parts[k] for parts in unstacked]

            def run(k=k, member_inputs=member_inputs):
                return tuple(function(k, *member_inputs))

            if active is None:
                outputs.append(run())
            else:

                def skip():
                    return tuple(ops.zeros((rows, width), inputs[0].dtype) for width in widths)

                outputs.append(ops.cond(active[k], run, skip))
        return [ops.stack(parts) for parts in zip(*outputs, strict=True)]

    def _chain(self, h, layers, relu_last):
        """Apply ``layers`` (``(kernel, bias)`` pairs) in turn to ``h`` of shape
        (members, rows, width), with a ReLU after each but, unless ``relu_last``, the last.

        This is the batched form, for stacks of more than ``MAX_SPLIT_MEMBERS`` members; a
        smaller stack runs each member's chain of plain 2-D matrix products on its own rows
        (:meth:`_member_chain`, through :meth:`_per_member`). On TensorFlow both give the same
        numbers (``tests/test_training.py``); on JAX they differ in the last bits. On
        TensorFlow's CPU kernels (oneDNN) a batched product of tiny matrices costs several
        times a plain one; per-member chains also let stopped members skip their work
        (:meth:`skip_stopped`). Training digits classes of 30 rows (2 cores, medians of 9
        seeds): 6 members 0.83-0.94 s batched against 0.64-0.70 s per member, 8 members
        1.00-1.22 s against 0.72-0.81 s (docs/history/speed3_skip_stopped.md).
        """
        last = len(layers) - 1
        for i, (kernel, bias) in enumerate(layers):
            h = ops.matmul(h, kernel) + ops.expand_dims(bias, 1)
            h = ops.relu(h) if relu_last or i < last else h
        return h

    def _member_layers(self, layers) -> list:
        """``layers`` (``(kernel, bias)`` pairs with a member axis) as one list of plain
        ``(kernel, bias)`` pairs per member, unstacked once (see :meth:`_per_member`)."""
        n = self.n_members

        def unstack(variable):
            # The variable's value: PyTorch's unbind is a tensor's method, not a variable's.
            return ops.unstack(ops.convert_to_tensor(variable), num=n, axis=0)

        pairs = [(unstack(kernel), unstack(bias)) for kernel, bias in layers]
        return [[(kernels[k], biases[k]) for kernels, biases in pairs] for k in range(n)]

    def _member_chain(self, h, layers, relu_last):
        """:meth:`_chain` for one member, on its rows ``h`` (rows, width), with its own
        ``layers`` (from :meth:`_member_layers`)."""
        last = len(layers) - 1
        for i, (kernel, bias) in enumerate(layers):
            h = ops.matmul(h, kernel) + bias
            h = ops.relu(h) if relu_last or i < last else h
        return h

    def encode(self, x):
        """``(z_mean, z_log_var)`` of rows ``x`` of shape (members, rows, features)."""
        if not self._split():
            h = self._chain(x, self.encoder_layers, relu_last=True)
            return (
                self._chain(h, [self.z_mean_layer], relu_last=False),
                self._chain(h, [self.z_log_var_layer], relu_last=False),
            )

        encoder = self._member_layers(self.encoder_layers)
        heads = self._member_layers([self.z_mean_layer, self.z_log_var_layer])

        def member(k, xk):
            h = self._member_chain(xk, encoder[k], relu_last=True)
            z_mean_layer, z_log_var_layer = heads[k]
            return (
                self._member_chain(h, [z_mean_layer], relu_last=False),
                self._member_chain(h, [z_log_var_layer], relu_last=False),
            )

        z_mean, z_log_var = self._per_member(member, [x], [self.latent_dim] * 2)
        return z_mean, z_log_var

    def decode(self, z):
        """The numeric means, then the category logits, of latent points ``z`` of shape
        (members, rows, latent_dim)."""
        layers = [*self.decoder_layers, self.x_mean_layer]
        if not self._split():
            return self._chain(z, layers, relu_last=False)

        decoder = self._member_layers(layers)

        def member(k, zk):
            return (self._member_chain(zk, decoder[k], relu_last=False),)

        (output,) = self._per_member(member, [z], [self.n_features])
        return output

    def call(self, inputs, training=False):
        x = ops.transpose(inputs, (1, 0, 2))
        z_mean, z_log_var = self.encode(x)
        noise = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        z = z_mean + ops.exp(0.5 * z_log_var) * noise
        return self.decode(z), z_mean, z_log_var

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        output, z_mean, z_log_var = y_pred
        # PyTorch's test_on_batch hands x over as the caller's NumPy array.
        x = ops.transpose(ops.convert_to_tensor(x, dtype=z_mean.dtype), (1, 0, 2))
        log_var = bounded_log_var(self.x_log_var, self.output_variance)
        reconstruction = table_nll(
            x,
            output,
            ops.expand_dims(log_var, 1),
            self.categorical_sizes,
            self.missing_columns,
        )
        kl = kl_divergence(z_mean, z_log_var)
        if sample_weight is None:
            reconstruction, kl = ops.mean(reconstruction, axis=1), ops.mean(kl, axis=1)
        else:
            weight = ops.transpose(ops.cast(sample_weight, kl.dtype))
            total = ops.sum(weight, axis=1)
            reconstruction = ops.sum(reconstruction * weight, axis=1) / total
            kl = ops.sum(kl * weight, axis=1) / total
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return ops.sum(reconstruction + self.beta * kl)

    def get_config(self):
        return {
            **super().get_config(),
            "n_members": self.n_members,
            "n_features": self.n_features,
            "latent_dim": self.latent_dim,
            "hidden_layer_sizes": list(self.hidden_layer_sizes),
            "beta": self.beta,
            "seeds": list(self.seeds),
            "categorical_sizes": list(self.categorical_sizes),
            "missing_columns": list(self.missing_columns),
            "output_variance": self.output_variance,
        }
