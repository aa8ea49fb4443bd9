"""Count the walk of X through the package's modules during one fit_resample (issue 27).

A step is a call from one module of the package into another that passes data (an argument
that is an ndarray, a DataFrame or a sparse matrix), counted once per distinct pair of caller
and callee functions, in the order they first happen. A step *returns* when its callee's
module was already entered by an earlier step; it goes *up* when the callee's layer is above
the caller's (data < models < training < generation < persistence < sampler).

    PYTHONPATH=<src> python walk.py
"""

import sys

import numpy as np
import pandas as pd
from scipy import sparse

LAYERS = {
    "data": ("_data", "_validation", "_columns", "_missing", "_scaling", "_pixels"),
    "models": ("_models", "_model", "_image_model", "_stacked_model", "_losses", "_initializers"),
    "training": ("_training", "_tf_loop", "_pool", "_callbacks"),
    "generation": ("_generation", "_copies"),
    "persistence": ("_persistence", "_archive", "_typed_json"),
    "sampler": ("_sampler",),
}
RANK = {name: i for i, name in enumerate(LAYERS)}


def layer(module):
    part = module.split(".")[1]
    for name, parts in LAYERS.items():
        if part in parts:
            return name
    return None


def is_data(value):
    if isinstance(value, dict):
        return any(is_data(v) for v in value.values())
    return isinstance(value, np.ndarray | pd.DataFrame) or sparse.issparse(value)


def main():
    from vae_oversampler import VAEOverSampler

    rng = np.random.RandomState(4)
    n = 300
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.randint(0, 5, size=n),
            "c": pd.Categorical(rng.choice(["x", "y", "z"], size=n)),
            "d": rng.choice(["p", "q"], size=n).astype(object),
        }
    )
    y = (rng.random_sample(n) < 0.2).astype(int)
    frame.loc[rng.random_sample(n) < 0.15, "a"] = np.nan
    frame.loc[rng.random_sample(n) < 0.1, "d"] = None
    sampler = VAEOverSampler(random_state=0, epochs=2)
    edges, order = set(), []

    def profile(frame_, event, arg):
        if event != "call":
            return
        callee = frame_.f_globals.get("__name__", "")
        caller_frame = frame_.f_back
        if caller_frame is None:
            return
        caller = caller_frame.f_globals.get("__name__", "")
        if not (callee.startswith("vae_oversampler.") and caller.startswith("vae_oversampler.")):
            return
        if callee == caller or layer(callee) is None or layer(caller) is None:
            return
        code = frame_.f_code
        args = [frame_.f_locals.get(v) for v in code.co_varnames[: code.co_argcount]]
        if not any(is_data(a) for a in args):
            return
        key = (caller, caller_frame.f_code.co_name, callee, code.co_name)
        if key not in edges:
            edges.add(key)
            order.append(key)

    sys.setprofile(profile)
    try:
        sampler.fit_resample(frame, y)
    finally:
        sys.setprofile(None)
    entered, returns, ups = set(), 0, 0
    for caller, caller_fn, callee, callee_fn in order:
        back = callee in entered
        up = RANK[layer(callee)] > RANK[layer(caller)]
        returns += back
        ups += up
        entered.add(callee)
        print(
            f"{'R' if back else ' '}{'U' if up else ' '} {caller}.{caller_fn} -> "
            f"{callee}.{callee_fn}"
        )
    print(f"steps {len(order)}, modules {len(entered)}, returns {returns}, up {ups}")
    # The same walk by layer: the layers the steps enter, a run of steps inside one layer
    # counted once; a layer entered again after the walk left it is a return.
    sequence = []
    for caller, _, callee, _ in order:
        if layer(callee) != layer(caller) and (not sequence or sequence[-1] != layer(callee)):
            sequence.append(layer(callee))
    seen_layers, layer_returns = set(), 0
    for name in sequence:
        layer_returns += name in seen_layers
        seen_layers.add(name)
    print(f"layer steps {len(sequence)}: {' > '.join(sequence)}; returns {layer_returns}")


if __name__ == "__main__":
    main()
