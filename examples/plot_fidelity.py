"""
How realistic are the generated rows? Fidelity diagnostics of one class
=======================================================================

A better classifier score is one reason to over-sample; rows that look like the class's real
rows are another. :mod:`vae_oversampler.metrics` measures the second on your own data, for any
over-sampler, against real rows of the class that the sampler never saw:

- the **two-sample AUC** of a random forest that tells generated rows from held-out real rows
  (0.5: it cannot);
- the **share of copies**: generated rows equal to a training row;
- the **distance to the closest training row**, in units of the spacing of the training rows,
  next to the same distance for the held-out real rows, which is what realistic rows score.

Here the malignant tumours of scikit-learn's breast cancer data are made rare (one in ten),
and the rows that :class:`~vae_oversampler.VAEOverSampler` and
:class:`~imblearn.over_sampling.SMOTE` make for them are compared.
"""

# %%
# A rare class, split into the rows the sampler sees and rows it does not
# ------------------------------------------------------------------------
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from vae_oversampler import VAEOverSampler
from vae_oversampler.metrics import fidelity_report
from vae_oversampler.plotting import plot_fidelity

X, y = load_breast_cancer(return_X_y=True)
y = 1 - y  # 1: malignant
rng = np.random.RandomState(0)
benign, malignant = np.flatnonzero(y == 0), np.flatnonzero(y == 1)
keep = np.r_[benign, rng.choice(malignant, len(benign) // 9, replace=False)]
X, y = X[keep], y[keep]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
train_rows, held_out = X_train[y_train == 1], X_test[y_test == 1]
print(f"malignant rows: {len(train_rows)} seen by the samplers, {len(held_out)} held out")

# %%
# Generate rows for the class with each sampler
# ---------------------------------------------
# Each sampler brings the class level with the benign rows; its rows follow the caller's.
samplers = {
    "VAEOverSampler": VAEOverSampler(random_state=0),
    "SMOTE": SMOTE(random_state=0),
    "RandomOverSampler": RandomOverSampler(random_state=0),
}
generated, reports = {}, {}
for name, sampler in samplers.items():
    X_res, y_res = sampler.fit_resample(X_train, y_train)
    generated[name] = X_res[len(X_train) :]
    reports[name] = fidelity_report(train_rows, held_out, generated[name], random_state=0)
print(pd.DataFrame(reports).T.round(3).to_string())

# %%
# RandomOverSampler is the control: its rows are all copies (share 1.0, distance 0). Read the
# other two against the held-out real rows' distance: a sampler whose rows sit much closer to
# the training rows than real rows do is close to copying them, and one whose rows sit much
# further has left the class. The two-sample AUC says how well a forest tells the generated
# rows from held-out real ones; with a few dozen rows it is a noisy number, so look at it
# over several seeds or folds before you trust a difference of a few hundredths.

# %%
# The picture for the VAE's rows
# ------------------------------
# Left, the distribution of the distance to the closest training row, generated rows against
# held-out real rows. Right, the three sets on the training rows' first two principal
# components.
fig = plot_fidelity(train_rows, held_out, generated["VAEOverSampler"], title="VAEOverSampler")

# %%
# And for SMOTE's
# ---------------
fig = plot_fidelity(train_rows, held_out, generated["SMOTE"], title="SMOTE")

# %%
# The same measures, over 20 KEEL data sets and several seeds, are in the quality benchmark's
# report (``python benchmarks/quality.py``), which calls these functions.
