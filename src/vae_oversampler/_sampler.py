"""``VAEOverSampler``: the imbalanced-learn over-sampler."""

from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import Substitution
from imblearn.utils._docstring import _random_state_docstring
from imblearn.utils._validation import ArraysTransformer
from scipy import sparse
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._data.codec import TableCodec
from ._data.validation import check_class_sizes, check_random_state, check_table, plain
from ._generation.generator import ClassGenerator, Sampling
from ._generation.latent import MAX_LATENT_SPREAD


@Substitution(
    sampling_strategy=BaseOverSampler._sampling_strategy_docstring,
    random_state=_random_state_docstring,
)
class VAEOverSampler(BaseOverSampler):
    """Over-sample each class with rows decoded by a variational autoencoder trained on it.

    For every class that ``sampling_strategy`` asks to grow, a Keras VAE is trained on that
    class's standardised rows only. New rows are decoded from latent points and returned after
    the caller's rows, which come back unchanged and in order.

    Read more in the :ref:`User Guide <how_it_works>`.

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

    latent_dim : int or "auto", default="auto"
        Size of the latent space. ``"auto"`` uses ``min(n_encoded, 8)``, where ``n_encoded``
        counts the columns the VAE reads: one per numeric column and one per category of each
        categorical column (for images, one per pixel).

    hidden_layer_sizes : tuple of int, default=(64, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them. Used by the tabular
        network only. A network of more than 2**27 weights (with ``latent_dim``) is refused
        with a ``ValueError`` before it is built.

    categorical_features : "auto", array-like or None, default="auto"
        Columns to treat as categories, as ``SMOTENC`` takes them: integer indices, a
        boolean mask, or column names of a DataFrame. ``"auto"`` takes a DataFrame's
        ``category``, ``object``, ``string`` and ``bool`` columns (an array has none);
        ``None`` treats every column as a number. Each categorical column is one-hot encoded
        and decoded by a softmax head, so new values are always categories of the column.
        DataFrames come back with their dtypes, arrays with the values they held.

    clip : bool, default=True
        Keep each new numeric value inside the range [min, max] that its column takes in the
        class's rows. Whatever ``clip``, integer columns, and float columns that hold only
        whole numbers, get whole numbers. A float column whose values all sit on an evenly
        spaced grid (flags, ratings or counts after standardisation, values recorded to a
        fixed number of decimals) gets values on that grid, a seen value's own bits where the
        point is one (images excepted).

    image_shape : tuple of (int, int, int) or None, default=None
        ``(height, width, channels)`` when each row of X is one image, flattened. Each class
        then gets a convolutional VAE trained with a binary cross-entropy loss on pixels
        scaled to [0, 1]. X must hold values in [0, 1] or 0-255 (read as 0-255 when any value
        exceeds 1); new images come back in the same range and dtype. ``None`` means tabular
        rows and the MLP network.

    epochs : int, default=30
        Most training epochs per class. An epoch is the smallest multiple of 16 batches that
        covers one shuffled pass over the class's training rows.

    batch_size : int or "auto", default="auto"
        Rows per gradient step. ``"auto"`` gives 64 to every class of up to 16,384 training
        rows, and doubles it (up to 1,024) while a pass over a bigger class would take more
        than 256 steps: a 100,000-row class gets 512. A class smaller than a batch fills it
        from successive shuffles of its rows. A batch never holds more than the class's
        training rows or 64, whichever is more: a larger value trains exactly as that batch
        does, in its memory and time.

    learning_rate : float, default=1e-3
        Adam's learning rate. A class whose training diverges (a loss or weight becomes NaN or
        infinite) is trained once more from its fresh start at a tenth of it, with a
        ``RuntimeWarning``; see :class:`~vae_oversampler.exceptions.TrainingDivergedError`.

    beta : float, default=1.0
        Weight of the KL divergence in the loss.

    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of each class's rows, stop when their loss has not
        improved for ``n_iter_no_change`` epochs, and keep the best weights. A class too small
        to leave two rows on each side trains all ``epochs`` on all its rows.

    validation_fraction : float, default=0.1
        Share of a class's rows held out for early stopping.

    n_iter_no_change : int, default=5
        Epochs without improvement of the validation loss before training stops.

    pretrain_steps : int, default=0
        Before the classes train, train one VAE for this many steps (batches of 64 rows, no
        early stopping) on a seeded subsample of at most 4,096 rows of every class, each row
        scaled as its class scales it; every class's VAE then starts from a copy of it and
        trains on the class alone as usual. It is paid once per call, whatever the number of
        classes. 0 trains each class from its own random start. See
        :ref:`choosing_parameters` for measurements.

    latent_sampling : {{"auto", "posterior", "prior", "interpolate"}}, default="auto"
        Where latent points come from. ``"auto"`` is ``"posterior"`` for a table's classes
        of at least 30 rows, and ``"interpolate"`` for smaller classes and for images
        (``image_shape``). ``"posterior"`` draws a random row of the class and then a point
        from its encoding q(z|x). ``"prior"`` draws from N(0, I). ``"interpolate"`` takes a
        random point on the segment between the encodings of a random row and one of its 5
        nearest latent neighbours: SMOTE in the latent space. See :ref:`choosing_parameters`
        for measurements.

    decoder_output : {{"auto", "residual", "sample", "mean"}}, default="auto"
        What is added to the decoder's mean at a latent point. ``"auto"`` is ``"sample"``
        for a table's classes of fewer than 30 rows, whose few residuals would make
        near-copies of few rows, and ``"residual"`` otherwise. ``"residual"``: the
        reconstruction residual (row minus the decoder's mean at the row's encoding) of the
        class row the point grew from (with ``"prior"``, of the row whose encoding is nearest;
        with ``"interpolate"``, the same mix of the two rows' residuals as the point is of
        their encodings, so that a linear decoder would give SMOTE's row), so that a new row
        keeps a real row's correlated detail around the decoder's smooth mean. ``"sample"``:
        the decoder's learned per-feature Gaussian noise, independent between columns.
        ``"mean"``: nothing, which gives smoother, less varied rows. Categories are drawn from
        their softmax, except with ``"mean"`` (the most likely one). Images have no learned
        pixel noise: ``"sample"`` gives them the decoder's intensities, as ``"mean"`` does,
        and ``"residual"`` adds the real images' residuals, which keeps their strokes sharp.

    latent_spread : float, default=1.0
        Factor on the posterior's standard deviation when ``latent_sampling`` resolves to
        ``"posterior"`` (ignored otherwise): how far new rows move from the class rows they
        grow from. Below 1 they stay closer (harder to tell from real rows, less varied),
        above 1 they move further (more varied, easier to tell apart). At most 10.
        See :ref:`choosing_parameters` for measurements.

    n_jobs : int or None, default=None
        Training jobs run in parallel through joblib (``None``: 1 unless in a
        ``joblib.parallel_config`` context; ``-1``: all processors; a Dask backend runs them
        on a cluster). Tabular classes with epochs of the same length train side by side in
        one Keras model, up to 8 to a model; each such stack, and each image class, is one
        job. The rows do not depend on ``n_jobs``.

    verbose : int, default=0
        0 prints nothing; 1 prints one line per trained class (rows, epochs, loss); 2 also shows
        Keras's per-epoch log of each training job (for a stack of classes: their summed
        ``loss`` and the mean of their loss terms; the per-class values are in ``history_``).

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of rows generated for each class.

    vaes_ : dict
        The trained Keras model of each over-sampled class.

    scalers_ : dict
        The ``StandardScaler`` fitted on each over-sampled class's rows (with
        ``image_shape``, the scaler of pixels to [0, 1]).

    encodings_ : dict
        For each over-sampled class, ``(z_mean, z_log_var)``: the encoder's posterior of each
        of the class's rows, from which ``latent_sampling="posterior"`` draws.

    history_ : dict
        For each over-sampled class, a dict of per-epoch lists: ``loss``,
        ``reconstruction_loss``, ``kl_loss``, and their ``val_`` versions when a validation
        split was used.

    categorical_features_ : ndarray of int
        Indices of the columns treated as categorical.

    categories_ : list of ndarray
        The categories of each categorical column, sorted, in the order of
        ``categorical_features_``.

    n_features_in_ : int
        Number of features seen during ``fit_resample``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, defined only when ``X`` has string column names.

    See Also
    --------
    imblearn.over_sampling.SMOTE : Interpolates between neighbouring rows of a class.
    imblearn.over_sampling.RandomOverSampler : Repeats rows, optionally with noise.

    Notes
    -----
    **Missing values.** X may have holes: NaN in numeric columns, and NaN, ``None`` or
    ``pd.NA`` in categorical ones, pandas' nullable dtypes included (infinite values are
    refused). A class with holes learns where they fall, and its new rows get holes at about
    the class's rates, written as each column's own missing value; see :ref:`data_types`.
    Image rows cannot have holes.

    **Copies.** A new row that equals a row of its class in every column is drawn again, for
    at most 100 rounds (tables of categorical columns only, and images, excepted).

    The same integer ``random_state`` gives the same rows bit for bit in the same environment.
    Training and sampling draw from their own seeded generators and leave the global random
    states of Python, NumPy and Keras as they were.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from vae_oversampler import VAEOverSampler
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> sorted(Counter(y).items())
    [(np.int64(0), 269), (np.int64(1), 31)]
    >>> X_res, y_res = VAEOverSampler(epochs=5, random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(np.int64(0), 269), (np.int64(1), 269)]
    >>> bool((X_res[:300] == X).all())
    True
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "latent_dim": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "categorical_features": [None, StrOptions({"auto"}), "array-like"],
        "clip": ["boolean"],
        "image_shape": ["array-like", None],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "pretrain_steps": [Interval(Integral, 0, None, closed="left")],
        "latent_sampling": [StrOptions({"auto", "posterior", "prior", "interpolate"})],
        "decoder_output": [StrOptions({"auto", "residual", "sample", "mean"})],
        "latent_spread": [Interval(Real, 0, MAX_LATENT_SPREAD, closed="right")],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        latent_dim="auto",
        hidden_layer_sizes=(64, 64),
        categorical_features="auto",
        clip=True,
        image_shape=None,
        epochs=30,
        batch_size="auto",
        learning_rate=1e-3,
        beta=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=5,
        pretrain_steps=0,
        latent_sampling="auto",
        decoder_output="auto",
        latent_spread=1.0,
        n_jobs=None,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.latent_dim = latent_dim
        self.hidden_layer_sizes = hidden_layer_sizes
        self.categorical_features = categorical_features
        self.clip = clip
        self.image_shape = image_shape
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.beta = beta
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.pretrain_steps = pretrain_steps
        self.latent_sampling = latent_sampling
        self.decoder_output = decoder_output
        self.latent_spread = latent_spread
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit_resample(self, X, y, **params):
        """Resample the dataset: the caller's rows, then the new rows of each class.

        All or nothing: if the call stops early, with an error or a ``KeyboardInterrupt``,
        the sampler is left exactly as it was before the call (unfitted, or fitted by the
        previous call), with no half-fitted attributes.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            The rows to resample.

        y : array-like of shape (n_samples,)
            The label of each row.

        **params : dict
            Not used; kept for imbalanced-learn's signature.

        Returns
        -------
        X_resampled : {array-like, dataframe, sparse matrix} of shape \
                (n_samples_new, n_features)
            ``X``'s rows, unchanged and in order, then the generated rows.

        y_resampled : array-like of shape (n_samples_new,)
            The labels of ``X_resampled``.
        """
        # imbalanced-learn's fit_resample sets fitted attributes before _fit_resample runs,
        # so only this wrapper can put the previous state back.
        state = dict(vars(self))
        try:
            X_resampled, y_resampled = super().fit_resample(X, y, **params)
        except BaseException:
            vars(self).clear()
            vars(self).update(state)
            raise
        self._codec.restore_markers(X_resampled, X)
        return X_resampled, y_resampled

    def _check_X_y(self, X, y, accept_sparse=None):
        # Kept so that ``sample`` returns the container type ``fit_resample`` was given.
        self._output_container = ArraysTransformer(X, y)
        X, y, binarize_y, self.categorical_features_ = check_table(
            self, X, y, self.categorical_features, self.image_shape, accept_sparse
        )
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        from ._training.train import build_vae, progress_line, train_classes, training_config

        random_state = check_random_state(self.random_state)
        # A DataFrame's column dtypes, which new values must fit (X is now one array).
        frame_dtypes = self._output_container.x_props.get("dtypes")
        codec = TableCodec.fit(X, self.categorical_features_, frame_dtypes, self.image_shape)
        self._codec, layout = codec, codec.layout
        self.categories_ = layout.categories
        config = training_config(
            self.get_params(), layout.n_encoded, codec.image_shape, layout.group_sizes
        )
        targets = {label: n for label, n in self.sampling_strategy_.items() if n > 0}
        check_class_sizes(y, targets)
        # One seed per class for training and one for generation, all drawn up front in class
        # order, so that results do not depend on n_jobs or on the order in which jobs finish.
        seeds = {
            label: random_state.randint(np.iinfo(np.int32).max, size=2)
            for label in self.sampling_strategy_
        }
        self._x_sparse_format = X.format if sparse.issparse(X) else None
        codecs, matrices, seen = {}, {}, {}
        for label in targets:
            rows = X[y == label]  # a copy, which fit_class scales in place
            # Keys of the class's distinct rows: new rows that copy one are drawn again.
            seen[label] = codec.row_keys(rows)
            codecs[label], matrices[label] = codec.fit_class(rows, label)
            del rows
        starts = None
        if self.pretrain_steps:
            from ._training.pretrain import shared_starts

            # Seeded after the classes' seeds, which stay what they are without pre-training.
            seed = random_state.randint(np.iinfo(np.int32).max)
            starts = shared_starts(
                X, y, codec, codecs, matrices, config, self.pretrain_steps, seed
            )
        # Tabular classes train side by side, several to a model (see train_stack).
        trained = train_classes(
            matrices,
            config,
            {label: int(seeds[label][0]) for label in targets},
            self.n_jobs,
            {label: c.missing.model_columns for label, c in codecs.items() if c.missing},
            starts,
        )
        self._generators = {}
        X_new, y_new = [X], [y]
        for label, n_samples in targets.items():
            model_config, weights, history = trained[label]
            # Each class's matrix is dropped once its generator has encoded it: a big class's
            # rows are not held beside the output.
            matrix = matrices.pop(label)
            generator = ClassGenerator.fit(
                codec,
                codecs[label],
                build_vae(model_config, weights),
                history,
                matrix,
                seen[label],
                int(seeds[label][1]),
            )
            self._generators[label] = generator
            if self.verbose:
                print(progress_line(label, len(matrix), history))
            del matrix
            rng = np.random.RandomState(seeds[label][1])
            new = generator.generate(n_samples, rng, self._sampling(label))
            X_new.append(sparse.csr_matrix(new) if sparse.issparse(X) else new)
            y_new.append(np.full(n_samples, label, dtype=y.dtype))
        self._expose_generators()
        if sparse.issparse(X):
            X_resampled = sparse.vstack(X_new, format=X.format)
        else:
            X_resampled = np.concatenate(X_new)
        return X_resampled, np.concatenate(y_new)

    def _expose_generators(self) -> None:
        """Set the public per-class attributes from the generators (they share the objects)."""
        generators = self._generators
        self.vaes_ = {label: g.model for label, g in generators.items()}
        self.scalers_ = {label: g.codec.scaler for label, g in generators.items()}
        self.encodings_ = {label: g.encodings for label, g in generators.items()}
        self.history_ = {label: g.history for label, g in generators.items()}

    def _sampling(self, label) -> Sampling:
        """How class ``label``'s rows are drawn, from the parameters as they are now
        (set_params included) and the class's size."""
        return Sampling.resolve(
            self.latent_sampling,
            self.decoder_output,
            self.clip,
            self.latent_spread,
            len(self._generators[label].encodings[0]),
            self.image_shape is not None,
        )

    def sample(self, n_samples: int, class_label, random_state=None):
        """Generate new rows of one class from its trained VAE.

        Read more in the :ref:`User Guide <how_it_works>`.

        Parameters
        ----------
        n_samples : int
            Number of rows to generate.
        class_label : object
            A class that ``fit_resample`` over-sampled (a key of ``vaes_``).
        random_state : int, RandomState instance or None, default=None
            Seeds the latent points and the decoder noise; an integer makes the call
            reproducible.

        Returns
        -------
        X_new : {ndarray, sparse matrix, DataFrame, list} of shape (n_samples, n_features)
            The new rows, in the container type and dtype of the ``X`` that was fitted.
        """
        check_is_fitted(self, "vaes_")
        if not isinstance(n_samples, Integral) or n_samples < 0:
            raise ValueError(f"n_samples must be a non-negative integer, got {n_samples!r}.")
        if class_label not in self.vaes_:
            raise ValueError(
                f"No VAE was trained for class {plain(class_label)!r}. Models exist for the "
                f"classes that fit_resample over-sampled: {sorted(map(plain, self.vaes_))}."
            )
        rng = check_random_state(random_state)
        sampling = self._sampling(class_label)
        new = self._generators[class_label].generate(int(n_samples), rng, sampling)
        if self._x_sparse_format is not None:
            new = sparse.csr_matrix(new).asformat(self._x_sparse_format)
        labels = np.full(int(n_samples), class_label)
        new = self._output_container.transform(new, labels)[0]
        self._codec.restore_markers(new)
        return new

    def save(self, path) -> None:
        """Write the fitted sampler to one file, which :func:`vae_oversampler.load` reads back
        without unpickling anything.

        The file is a zip archive: the parameters and fitted attributes as JSON, arrays as
        ``.npy`` members, each class's VAE in Keras's ``.keras`` format, and a manifest with
        the versions and the SHA-256 of every other member.

        Read more in the :ref:`User Guide <saving_loading>`.

        Parameters
        ----------
        path : str or path-like
            The file to write (replaced if it exists).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the sampler has not been fitted.
        ValueError
            If a parameter cannot be stored without pickle: a callable ``sampling_strategy``,
            for example. Set it to a plain value first (``sample`` does not read it), or use
            pickle or joblib for files whose every reader trusts its writer.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from sklearn.datasets import make_classification
        >>> from vae_oversampler import VAEOverSampler, load
        >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
        >>> sampler = VAEOverSampler(epochs=2, random_state=0)
        >>> X_res, y_res = sampler.fit_resample(X, y)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     sampler.save(os.path.join(folder, "sampler.zip"))
        ...     loaded = load(os.path.join(folder, "sampler.zip"))
        >>> new = loaded.sample(5, 1, random_state=0)
        >>> bool(np.array_equal(new, sampler.sample(5, 1, random_state=0)))
        True
        """
        from ._persistence.files import save

        save(self, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        tags.input_tags.allow_nan = True
        return tags
