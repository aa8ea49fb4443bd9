"""One class's fitted generator: its VAE and everything else that turns latent points into rows.

A :class:`ClassGenerator` holds the class's trained VAE and training history, its codec state
(:class:`~vae_oversampler._data.codec.ClassCodec`, with the sampler's shared
:class:`~vae_oversampler._data.codec.TableCodec`), the posterior of each of its rows, their
reconstruction residuals, its hole model (each row's holes and the missingness head's
probabilities at its encoding) and the keys of its distinct rows. :meth:`ClassGenerator.generate`
makes new rows, copies of class rows drawn again.
"""

from dataclasses import dataclass, field

import numpy as np

from .._data.codec import ClassCodec, TableCodec
from .._data.missing import calibrate_offsets, draw_missing, hole_draws
from .copies import MAX_REDRAWS, STALL_SHARE, copies
from .latent import (
    Origins,
    chunk_rows,
    decode,
    encode,
    latent_neighbours,
    latent_points,
    nearest_rows,
    residuals,
)

# Simulated new rows that calibrate a class's hole rates (one decoding call), and the stream
# of the hole model's seed they are drawn from.
CALIBRATION_ROWS = 4096
CALIBRATION_STREAM = 1


# A table class of fewer rows than this gets, from latent_sampling="auto" and
# decoder_output="auto", latent points interpolated between encodings and the decoder's
# learned noise instead of a posterior draw and its seed's residual (see Sampling.resolve).
SMALL_CLASS_ROWS = 30


@dataclass(frozen=True)
class Sampling:
    """How one class's new rows are drawn, from the sampler's parameters at the time of the
    call; build it with :meth:`resolve`.

    ``mode`` is ``latent_sampling`` and ``decoder_output`` that parameter, with ``"auto"``
    resolved; ``clip`` is the sampler's parameter of that name and ``spread`` is
    ``latent_spread``.
    """

    mode: str
    decoder_output: str
    clip: bool
    spread: float = 1.0

    @classmethod
    def resolve(
        cls,
        latent_sampling: str,
        decoder_output: str,
        clip: bool,
        spread: float,
        n_rows: int,
        image: bool,
    ) -> "Sampling":
        """The sampling of a class of ``n_rows`` rows (images when ``image``).

        ``"auto"`` gives images interpolated points with residuals. A table class gets a
        posterior draw with its seed row's residual, which keeps a real row's correlated
        detail. Under ``SMALL_CLASS_ROWS`` rows that makes near-copies of too few rows, and
        the class gets interpolated points with the decoder's learned noise instead
        (``docs/history/small_class_auto.md``).
        """
        small = not image and n_rows < SMALL_CLASS_ROWS
        if latent_sampling == "auto":
            latent_sampling = "interpolate" if image or small else "posterior"
        if decoder_output == "auto":
            decoder_output = "sample" if small else "residual"
        return cls(latent_sampling, decoder_output, bool(clip), float(spread))


@dataclass
class HoleModel:
    """Each class row's holes (bool, one column per column with holes in the class) and the
    missingness head's probabilities at the row's encoding (float32): what
    :func:`~vae_oversampler._data.missing.draw_missing` couples a new row's holes to.

    ``seed`` seeds the simulation that calibrates the new rows' hole rates to the class's
    (see :func:`~vae_oversampler._data.missing.calibrate_offsets`), and ``offsets`` keeps its
    result per way of drawing (latent mode, coupled or not). A hole model without a seed (from
    a file of format 1) draws uncalibrated, as it did.
    """

    holes: np.ndarray
    probabilities: np.ndarray
    seed: int | None = None
    offsets: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, model, x: np.ndarray, z_mean: np.ndarray, seed=None) -> "HoleModel":
        first = model.n_features - len(model.missing_columns)
        probabilities = np.empty((len(x), len(model.missing_columns)), dtype=np.float32)
        step = chunk_rows(model.n_features)
        for start in range(0, len(x), step):
            stop = start + step
            logits = decode(model, z_mean[start:stop])[2]
            probabilities[start:stop] = 1.0 / (1.0 + np.exp(-logits))
        return cls(x[:, first:] > 0.5, probabilities, seed)


@dataclass
class ClassGenerator:
    """The fitted generator of one class; build it with :meth:`fit`.

    ``table`` is the sampler's codec, shared by its classes (a file stores it once).
    """

    codec: ClassCodec
    model: object
    history: dict
    encodings: tuple
    residuals: np.ndarray
    holes: HoleModel | None = None
    seen: np.ndarray | None = None
    table: TableCodec | None = field(default=None, repr=False, metadata={"shared": True})

    @classmethod
    def fit(cls, table, codec, model, history, matrix, seen=None, seed=0) -> "ClassGenerator":
        """The generator of a class whose VAE ``model`` was trained on ``matrix`` (the class's
        rows as :meth:`TableCodec.fit_class` encoded them); ``seen`` are the keys of its
        distinct rows (:func:`~vae_oversampler._data.keys.class_keys`), or None where copies
        are not redrawn; ``seed`` seeds the calibration of its hole rates."""
        encodings = encode(model, matrix)
        # Kept whatever decoder_output, which sample() reads when it is called.
        kept = residuals(model, matrix, encodings[0])
        holes = None
        if codec.missing is not None:
            holes = HoleModel.fit(model, matrix, encodings[0], seed)
        return cls(codec, model, history, encodings, kept, holes, seen, table)

    def generate(self, n_samples: int, rng, sampling: Sampling) -> np.ndarray:
        """``n_samples`` new rows, in the fitted X's dtype, as an ndarray.

        A new row that equals a row of the class in every column (see ``copies``) is drawn
        again, for at most ``MAX_REDRAWS`` rounds, until a round changes (almost) nothing; a
        call that made no copy gives exactly the rows it would without this.
        """
        # Found once per call: the redraw rounds below reuse them.
        neighbours = self._neighbours(sampling)
        out = self._draw(n_samples, rng, sampling, neighbours)
        if self.seen is None:
            return out
        layout = self.table.layout
        again = np.flatnonzero(copies(out, self.seen, layout))
        for _ in range(MAX_REDRAWS):
            if not len(again):
                break
            out[again] = self._draw(len(again), rng, sampling, neighbours)
            still = again[copies(out[again], self.seen, layout)]
            if len(still) >= STALL_SHARE * len(again):
                break
            again = still
        return out

    def _draw(self, n_samples: int, rng, sampling: Sampling, neighbours) -> np.ndarray:
        """``n_samples`` rows decoded from the VAE, copies included.

        Rows are made in chunks of ``chunk_rows`` and written straight into the output, so
        the float64 temporaries stay small however many rows are asked for. The draws come
        in a fixed order per chunk: latent points, the decoder's noise and categories, then
        the holes.
        """
        table = self.table
        offsets = self._hole_offsets(sampling, neighbours)
        out = np.empty((n_samples, table.layout.n_columns), dtype=table.dtype)
        step = chunk_rows(self.model.n_features)
        for start in range(0, n_samples, step):
            size = min(step, n_samples - start)
            numeric, codes, missing_logits, origins = self._decoded(
                size, rng, sampling, neighbours
            )
            coupled = sampling.decoder_output == "residual"
            holes = self._draw_holes(missing_logits, origins, coupled, rng, offsets)
            if coupled:
                numeric += origins.blend(self.residuals)
            out[start : start + size] = table.inverse_transform(
                self.codec, numeric, codes, holes, sampling.clip
            )
        return out

    def _neighbours(self, sampling: Sampling):
        """Each encoded row's nearest latent neighbours, for ``"interpolate"``; else None."""
        if sampling.mode == "interpolate" and len(self.encodings[0]) > 1:
            return latent_neighbours(self.encodings[0])
        return None

    def _decoded(self, size: int, rng, sampling: Sampling, neighbours):
        """One chunk of ``size`` latent points decoded: scaled numeric values (with the
        decoder's noise unless residuals are added), category codes, the missingness logits,
        and the :class:`Origins` of the points."""
        model, encodings = self.model, self.encodings
        posterior = None if sampling.mode == "prior" else encodings
        residual = sampling.decoder_output == "residual"
        sampled = self.table.image_shape is None and sampling.decoder_output != "mean"
        z, origins = latent_points(
            size,
            model.latent_dim,
            rng,
            posterior,
            neighbours,
            return_rows=True,
            spread=sampling.spread,
        )
        numeric, codes, missing_logits = decode(
            model,
            z,
            rng=rng if sampled else None,
            noise=not residual,
            present=self.codec.present,
        )
        if residual and origins is None:
            origins = Origins(nearest_rows(z, encodings[0]))
        return numeric, codes, missing_logits, origins

    def _hole_offsets(self, sampling: Sampling, neighbours):
        """The logit offsets that calibrate this way of drawing's hole rates to the class's,
        simulated once (from the hole model's own seed, not the caller's generator) and
        kept; None for a class without holes or a hole model from a file of format 1."""
        holes = self.holes
        if holes is None or holes.seed is None:
            return None
        coupled = sampling.decoder_output == "residual"
        # The default spread keeps the key of files written before latent_spread existed.
        key = (sampling.mode, coupled)
        if sampling.mode == "posterior" and sampling.spread != 1.0:
            key += (sampling.spread,)
        if key not in holes.offsets:
            rng = np.random.RandomState([holes.seed, CALIBRATION_STREAM])
            logits, draws = [], []
            step = chunk_rows(self.model.n_features)
            for start in range(0, CALIBRATION_ROWS, step):
                size = min(step, CALIBRATION_ROWS - start)
                _, _, missing_logits, origins = self._decoded(size, rng, sampling, neighbours)
                seeds = self._hole_seeds(origins) if coupled else None
                logits.append(missing_logits)
                draws.append(hole_draws(missing_logits.shape, rng, seeds))
            rates = self.codec.missing.rates
            holes.offsets[key] = calibrate_offsets(np.vstack(logits), np.vstack(draws), rates)
        return holes.offsets[key]

    def _hole_seeds(self, origins):
        return (self.holes.holes[origins.rows], self.holes.probabilities[origins.rows])

    def _draw_holes(self, logits, origins, coupled: bool, rng, offsets=None):
        """Which cells of new rows are missing (one column per column with holes in the class),
        or None for a class without holes. With ``coupled`` (``decoder_output="residual"``)
        each row's draws are coupled to the holes of the class row it grew from (see
        ``draw_missing``); ``offsets`` calibrate the rates."""
        if self.holes is None:
            return None
        seeds = self._hole_seeds(origins) if coupled else None
        # Drawn whatever decoder_output: the likelier outcome alone would erase every
        # missing rate below one half.
        return draw_missing(logits, self.codec.missing.rates, rng, seeds, offsets)
