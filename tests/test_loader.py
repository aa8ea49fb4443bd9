"""Forged and damaged files: every one refused with a ValueError that names the problem,
before anything is built from it, and the process left as it was (issue 28)."""

import copy
import hashlib
import io
import json
import tracemalloc
import zipfile

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification

from vae_oversampler import VAEOverSampler, load
from vae_oversampler._models import tabular
from vae_oversampler._persistence import archive
from vae_oversampler.exceptions import TrainingDivergedError

X, Y = make_classification(
    n_samples=150, n_features=5, n_informative=3, weights=[0.85], random_state=0
)


@pytest.fixture(scope="module")
def genuine(tmp_path_factory):
    sampler = VAEOverSampler(hidden_layer_sizes=(16, 8), epochs=2, random_state=0)
    sampler.fit_resample(X, Y)
    path = tmp_path_factory.mktemp("genuine") / "sampler.zip"
    sampler.save(path)
    return sampler, path


def members(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def forge(path, out, changes: dict):
    """``path``'s archive with members replaced, and the manifest's hashes recomputed: a
    forgery that the SHA-256 check cannot catch."""
    files = members(path)
    files.update(changes)
    manifest = json.loads(files["manifest.json"])
    for name in changes:
        manifest["members"][name] = hashlib.sha256(files[name]).hexdigest()
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out


def with_model_config(path, out, edit):
    """A forgery whose first model's config.json has ``edit`` applied."""
    data = members(path)["models/0.keras"]
    inner = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(inner, "w") as target:
        for name in source.namelist():
            member = source.read(name)
            if name == "config.json":
                config = json.loads(member)
                edit(config)
                member = json.dumps(config).encode()
            target.writestr(name, member)
    return forge(path, out, {"models/0.keras": inner.getvalue()})


def npy(array) -> bytes:
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


BASES = {cls: cls.__bases__ for cls in (tabular.VariationalAutoencoder, tabular.TabularVAE)}


def _functional(config):
    # Keras's Model.__init__ turns a subclass into a Functional model when it sees these.
    config["config"].update(inputs=[1], outputs=[2])


def _huge_layers(config):
    config["config"]["hidden_layer_sizes"] = [12000, 12000]


def _unknown_key(config):
    config["config"]["activation"] = "relu"


def _string_size(config):
    config["config"]["latent_dim"] = "8"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_functional, r"has the keys .* not .*inputs"),
        (_huge_layers, "million weights, more than the library builds"),
        (_unknown_key, r"has the keys .* not .*activation"),
        (_string_size, "latent_dim must be an integer"),
    ],
)
def test_model_configs_are_checked_key_for_key_before_keras_sees_them(
    genuine, tmp_path, monkeypatch, edit, message
):
    forged = with_model_config(genuine[1], tmp_path / "forged.zip", edit)

    def refuse(*args, **kwargs):
        raise AssertionError("Keras was asked to deserialise a refused model")

    monkeypatch.setattr(keras.saving, "load_model", refuse)
    with pytest.raises(ValueError, match=rf"models/0\.keras holds a configuration .*{message}"):
        load(forged)


def test_a_refused_file_leaves_the_library_working(genuine, tmp_path, monkeypatch):
    sampler, path = genuine
    forged = with_model_config(path, tmp_path / "forged.zip", _functional)
    with pytest.raises(ValueError, match="inputs"):
        load(forged)
    # Even where Keras itself acts on the forged config (the check switched off), the
    # library's classes come out of the failed load as they went in.
    monkeypatch.setattr(archive, "check_model_config", lambda config, name: 0)
    with pytest.raises(ValueError, match="models/0.keras"):
        load(forged)
    monkeypatch.undo()
    assert {cls: cls.__bases__ for cls in BASES} == BASES
    refit = VAEOverSampler(hidden_layer_sizes=(16, 8), epochs=2, random_state=0)
    X_res, _ = refit.fit_resample(X, Y)
    assert np.array_equal(X_res, sampler.fit_resample(X, Y)[0])
    refit.save(tmp_path / "again.zip")
    again = load(tmp_path / "again.zip")
    assert np.array_equal(again.sample(7, 1, random_state=0), refit.sample(7, 1, random_state=0))


def _first_array(path):
    return sorted(n for n in members(path) if n.startswith("arrays/"))[0]


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros(3, np.complex128), "not a plain NumPy array .*complex128"),
        (np.zeros((2, 2), [("a", "f4"), ("b", "f4")]), "not a plain NumPy array"),
    ],
)
def test_arrays_of_other_dtypes_are_refused(genuine, tmp_path, array, message):
    name = _first_array(genuine[1])
    forged = forge(genuine[1], tmp_path / "forged.zip", {name: npy(array)})
    with pytest.raises(ValueError, match=rf"{name} is {message}"):
        load(forged)


def test_an_array_header_claiming_more_than_its_member_is_refused_before_allocation(
    genuine, tmp_path
):
    name = _first_array(genuine[1])
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (2**40,)}
    )
    forged = forge(genuine[1], tmp_path / "forged.zip", {name: header.getvalue() + b"\0" * 64})
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=rf"{name} .*claims shape \(1099511627776,\)"):
            load(forged)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20


def test_a_member_larger_than_any_json_needs_is_refused_unread(genuine, tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_JSON_BYTES", 100)
    with pytest.raises(ValueError, match=r"params\.json declares \d+ bytes, more than the 100"):
        load(genuine[1])


def _nested(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (_nested(450), "nested more than 64 levels"),
        ({"$": "numpy", "dtype": "<c16", "value": 1}, "dtype complex128 is not supported"),
        ({"$": "numpy", "dtype": "|i1", "value": 1000}, "OverflowError"),
        ({"$": "no such tag"}, "unknown tag"),
    ],
)
def test_malformed_typed_json_is_a_value_error(genuine, tmp_path, value, message):
    params = json.loads(members(genuine[1])["params.json"])
    params["beta"] = value
    forged = forge(
        genuine[1], tmp_path / "forged.zip", {"params.json": json.dumps(params).encode()}
    )
    with pytest.raises(ValueError, match=message):
        load(forged)


def test_parameters_a_fit_would_refuse_are_refused(genuine, tmp_path):
    params = json.loads(members(genuine[1])["params.json"])
    params["decoder_output"] = "bogus"
    changes = {"params.json": json.dumps(params).encode()}
    forged = forge(genuine[1], tmp_path / "forged.zip", changes)
    with pytest.raises(ValueError, match="decoder_output"):
        load(forged)


def _nan_mean(sampler):
    sampler._generators[1].codec.scaler.mean_[0] = np.nan


def _short_mean(sampler):
    scaler = sampler._generators[1].codec.scaler
    scaler.mean_ = scaler.mean_[:-1]


def _object_rows(sampler):
    sampler._codec.dtype = np.dtype(object)


def _more_residuals(sampler):
    generator = sampler._generators[1]
    generator.residuals = np.zeros((len(generator.residuals) + 5, 5), np.float32)


def _wide_encodings(sampler):
    generator = sampler._generators[1]
    generator.encodings = (np.zeros((4, 99), np.float32), generator.encodings[1])


@pytest.mark.parametrize(
    ("forge_value", "message"),
    [
        (_nan_mean, "scaler mean_ holds values that are not finite"),
        (_short_mean, r"scaler mean_ has shape \(4,\), expected \(5,\)"),
        (_object_rows, "_codec.dtype is object for a table of numbers"),
        (_more_residuals, "residuals has shape"),
        (_wide_encodings, "z_mean has shape"),
    ],
)
def test_loaded_values_are_checked_for_sense(genuine, tmp_path, forge_value, message):
    sampler = copy.deepcopy(genuine[0])
    forge_value(sampler)
    sampler.save(tmp_path / "forged.zip")  # save writes what it holds; load checks it
    with pytest.raises(ValueError, match=message):
        load(tmp_path / "forged.zip")


def _mutations():
    """A JSON path and a new value, or an array member's bytes cut or flipped."""
    scalar = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True),
        st.text(max_size=5),
    )
    json_edit = st.tuples(
        st.just("json"),
        st.sampled_from(["params.json", "state.json"]),
        st.lists(st.integers(0, 20), min_size=1, max_size=8),
        st.one_of(
            scalar,
            st.lists(scalar, max_size=3),
            st.dictionaries(st.text(max_size=3), scalar, max_size=2),
        ),
    )
    array_edit = st.tuples(
        st.just("array"),
        st.integers(0, 30),
        st.integers(0, 400),
        st.sampled_from(["cut", "flip"]),
    )
    return st.one_of(json_edit, array_edit)


def _edit_json(value, path, new):
    """``value`` with the element at ``path`` (indices into lists and dict values, taken
    modulo their lengths) replaced by ``new``."""
    if not path or not isinstance(value, list | dict) or not value:
        return new
    if isinstance(value, list):
        i = path[0] % len(value)
        return [*value[:i], _edit_json(value[i], path[1:], new), *value[i + 1 :]]
    key = sorted(value)[path[0] % len(value)]
    return {**value, key: _edit_json(value[key], path[1:], new)}


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutation=_mutations())
def test_a_mutated_archive_loads_as_a_sampler_or_is_a_value_error(genuine, tmp_path, mutation):
    """Whatever is changed (and re-hashed), ``load`` either raises a ValueError or returns a
    sampler whose ``sample`` gives rows or raises a ValueError, in bounded memory."""
    path = genuine[1]
    files = members(path)
    if mutation[0] == "json":
        _, name, where, new = mutation
        data = json.dumps(_edit_json(json.loads(files[name]), where, new)).encode()
    else:
        _, index, position, how = mutation
        arrays = sorted(n for n in files if n.startswith("arrays/"))
        name = arrays[index % len(arrays)]
        data = bytearray(files[name])
        position %= len(data)
        if how == "cut":
            data = data[:position]
        else:
            data[position] ^= 0xFF
        data = bytes(data)
    forged = forge(path, tmp_path / "mutated.zip", {name: data})
    tracemalloc.start()
    try:
        try:
            loaded = load(forged)
        except ValueError:
            return
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20
    assert isinstance(loaded, VAEOverSampler)
    for label in loaded._generators:
        try:
            rows = loaded.sample(5, label, random_state=0)
        except (ValueError, TrainingDivergedError):
            continue
        assert rows.shape == (5, X.shape[1])


def test_an_object_array_member_is_refused_even_when_rehashed(genuine, tmp_path, monkeypatch):
    """A pickled .npy member (object dtype) must never be unpickled: with the hashes
    recomputed, only ``allow_pickle=False`` and the dtype check stand in the way."""
    name = _first_array(genuine[1])
    out = io.BytesIO()
    np.save(out, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    forged = forge(genuine[1], tmp_path / "forged.zip", {name: out.getvalue()})
    import pickle

    class Unpickled(BaseException):
        """Not an Exception, so that no handler of the loader can turn it into a refusal."""

    def refuse(*args, **kwargs):
        raise Unpickled("load unpickled a member")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    with pytest.raises(ValueError, match=rf"{name} is not a plain NumPy array .*object"):
        load(forged)


def test_keras_loads_each_model_in_safe_mode(genuine, monkeypatch):
    calls = []
    real = keras.saving.load_model

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(keras.saving, "load_model", spy)
    load(genuine[1])
    assert calls and all(c.get("safe_mode") is True and c.get("compile") is False for c in calls)


@pytest.mark.parametrize(
    ("offsets", "message"),
    [
        ({("posterior", True): np.array(["x"])}, "hole offsets has dtype"),
        ({("posterior", True): np.zeros(5)}, r"hole offsets has shape \(5,\)"),
        ({("nowhere", True): np.zeros(1)}, "hole offsets have an unknown key"),
    ],
)
def test_forged_hole_calibrations_are_refused(tmp_path, offsets, message):
    holed = X.copy()
    holed[np.random.RandomState(0).random_sample(len(X)) < 0.3, 0] = np.nan
    sampler = VAEOverSampler(hidden_layer_sizes=(8,), epochs=2, random_state=0)
    sampler.fit_resample(holed, Y)
    sampler._generators[1].holes.offsets = offsets
    sampler.save(tmp_path / "forged.zip")
    with pytest.raises(ValueError, match=message):
        load(tmp_path / "forged.zip")
