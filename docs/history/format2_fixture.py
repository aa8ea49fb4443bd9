"""Write ``tests/data/sampler_format2_sample.zip`` and the rows it samples, with the code of
commit e1bfa7c (format 2, the decoder's log-variance clipped to [log 1e-4, 0]). Its
``decoder_output="sample"`` reads the decoder's log-variance when it samples, so the file pins
down what format 2's ``x_log_var`` means after the smooth bound of issue 31 (format 3).

    git archive e1bfa7c src | tar -x -C /tmp/e1bfa7c
    PYTHONPATH=/tmp/e1bfa7c/src python docs/history/format2_fixture.py
"""

from pathlib import Path

import numpy as np

from vae_oversampler import VAEOverSampler

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"

rng = np.random.RandomState(0)
X = np.vstack([rng.normal(size=(200, 4)), rng.normal(2.0, 0.5, size=(30, 4))])
X[:, 3] = X[:, 0] + 0.01 * rng.normal(size=len(X))
y = np.array([0] * 200 + [1] * 30)
sampler = VAEOverSampler(decoder_output="sample", random_state=0)
sampler.fit_resample(X, y)
sampler.save(DATA / "sampler_format2_sample.zip")
np.save(DATA / "sampler_format2_sample_rows.npy", sampler.sample(20, 1, random_state=0))
