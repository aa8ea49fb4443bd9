"""Saving and loading a fitted sampler without pickle: round trips, and the files refused."""

import copy
import dataclasses
import hashlib
import io
import json
import math
import pickle
import re
import subprocess
import sys
import zipfile
from collections import OrderedDict
from pathlib import Path

import joblib
import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import NotFittedError

import vae_oversampler
from vae_oversampler import VAEOverSampler, load
from vae_oversampler._persistence.typed_json import Decoder, Encoder


def _numeric():
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, weights=[0.85], random_state=0
    )
    # Float labels, and a dict strategy keyed by them.
    sampler = VAEOverSampler(
        sampling_strategy={1.0: 100},
        hidden_layer_sizes=(16, 8),
        epochs=2,
        random_state=0,
    )
    return sampler, X, y.astype(np.float64), 1.0


def _mixed():
    rng = np.random.RandomState(0)
    n = 160
    rare = np.arange(n) % 4 == 0
    X = pd.DataFrame(
        {
            "count": rng.poisson(3, n) + 4 * rare,
            "small": rng.randint(-5, 5, n).astype(np.int16),
            "amount": rng.gamma(2.0, 10.0, n) + 20 * rare,
            "ratio": rng.rand(n).astype(np.float32),
            "flag": rng.rand(n) < np.where(rare, 0.8, 0.3),
            "size": pd.Categorical(
                rng.choice(["S", "M", "L"], n), categories=["S", "M", "L"], ordered=True
            ),
            "code": pd.Categorical(rng.choice([30, 10, 20], n)),
            "level": pd.Categorical(rng.choice([0.5, 1.5, 2.5], n)),
            "colour": pd.Series(rng.choice(["red", "green", "blue"], n), dtype=object),
            "city": rng.choice(["Oslo", "Lima"], n),
        }
    )
    y = pd.Series(np.where(rare, "rare", "common"), name="label")
    return VAEOverSampler(epochs=2, random_state=0), X, y, "rare"


def _images():
    X, y = load_digits(return_X_y=True)
    keep = (y == 1) | ((y == 0) & (np.cumsum(y == 0) <= 20))
    X = np.rint(X[keep] * 255 / 16).astype(np.uint8)
    sampler = VAEOverSampler(image_shape=(8, 8, 1), latent_dim=2, epochs=2, random_state=0)
    return sampler, X, y[keep], np.int64(0)


KINDS = {"numeric": _numeric, "mixed": _mixed, "images": _images}


@pytest.fixture(scope="module")
def fitted_files(tmp_path_factory):
    """Fits one sampler per kind of data, on first use, and saves it:
    ``files(kind)`` is ``(fitted sampler, path of its file, a label it over-samples)``."""
    cache = {}

    def files(kind):
        if kind not in cache:
            sampler, X, y, label = KINDS[kind]()
            X_before = X.copy()
            sampler.fit_resample(X, y)
            if isinstance(X, pd.DataFrame):
                pd.testing.assert_frame_equal(X, X_before)
            else:
                np.testing.assert_array_equal(X, X_before)
            path = tmp_path_factory.mktemp(kind) / "sampler.zip"
            sampler.save(path)
            cache[kind] = sampler, path, label
        return cache[kind]

    return files


@pytest.fixture(params=list(KINDS))
def saved(request, fitted_files):
    return fitted_files(request.param)


@pytest.fixture
def numeric_file(fitted_files):
    return fitted_files("numeric")


def assert_same_rows(a, b):
    if isinstance(a, pd.DataFrame):
        assert a.equals(b) and a.dtypes.equals(b.dtypes)
    else:
        assert type(a) is type(b) and a.dtype == b.dtype and np.array_equal(a, b)


def assert_same_value(a, b):
    """Equal values of equal types, recursively; arrays bitwise with their dtypes."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        if a.dtype == object:
            for x, y in zip(a.ravel(), b.ravel(), strict=True):
                assert_same_value(x, y)
        else:
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True):
            assert_same_value(ka, kb)
            assert_same_value(va, vb)
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same_value(x, y)
    elif isinstance(a, float | np.floating) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def test_sample_is_bitwise_identical_after_load(saved):
    sampler, path, label = saved
    loaded = load(path)
    for seed in (0, 7):
        assert_same_rows(
            sampler.sample(40, label, random_state=seed),
            loaded.sample(40, label, random_state=seed),
        )
    assert type(next(iter(loaded.vaes_))) is type(label)


def test_documented_and_private_attributes_match(saved):
    sampler, path, _ = saved
    loaded = load(path)
    assert set(vars(loaded)) == set(vars(sampler))
    assert_same_value(loaded.get_params(), sampler.get_params())
    for name in (
        "sampling_strategy_",
        "encodings_",
        "history_",
        "categorical_features_",
        "categories_",
        "n_features_in_",
        "_x_sparse_format",
    ):
        assert_same_value(getattr(loaded, name), getattr(sampler, name))
    # Every field of every generator and of its codec state (a new field included).
    assert loaded._generators.keys() == sampler._generators.keys()
    for label, generator in sampler._generators.items():
        twin = loaded._generators[label]
        assert twin.table is loaded._codec
        for record, copy_ in ((generator, twin), (generator.codec, twin.codec)):
            for field in dataclasses.fields(record):
                if field.name not in ("table", "model", "codec", "scaler", "holes"):
                    assert_same_value(getattr(copy_, field.name), getattr(record, field.name))
        if generator.holes is not None:
            assert_same_value(vars(twin.holes), vars(generator.holes))
    assert_same_value(loaded._codec.dtype, sampler._codec.dtype)
    assert_same_value(loaded._codec.image_shape, sampler._codec.image_shape)
    if hasattr(sampler, "feature_names_in_"):
        assert_same_value(loaded.feature_names_in_, sampler.feature_names_in_)
    for label, scaler in sampler.scalers_.items():
        assert_same_value(vars(loaded.scalers_[label]), vars(scaler))
    layout, original = loaded._codec.layout, sampler._codec.layout
    # Every field (a new one included), the encoder through the categories it holds.
    fields = [f.name for f in dataclasses.fields(original) if f.name != "encoder"]
    for field in [*fields, "categories", "group_sizes"]:
        assert_same_value(getattr(layout, field), getattr(original, field))
    assert vars(loaded._output_container).keys() == vars(sampler._output_container).keys()
    for side in ("x_props", "y_props"):
        new, old = (vars(s._output_container)[side] for s in (loaded, sampler))
        assert new["type"] == old["type"] and new["name"] == old["name"]
        for key in ("columns", "dtypes"):
            if isinstance(old[key], pd.Series | pd.Index):
                assert old[key].equals(new[key]) and type(old[key]) is type(new[key])
                assert new[key].dtype == old[key].dtype
            else:
                assert new[key] == old[key]


def test_every_model_variable_round_trips(saved):
    sampler, path, _ = saved
    loaded = load(path)
    for label, model in sampler.vaes_.items():
        copy_ = loaded.vaes_[label]
        assert type(copy_) is type(model)
        assert copy_.get_config() == model.get_config()
        names = [v.path.split("/", 1)[1] for v in model.variables]
        assert [v.path.split("/", 1)[1] for v in copy_.variables] == names
        for old, new in zip(model.variables, copy_.variables, strict=True):
            assert old.trainable == new.trainable
            assert np.array_equal(keras.ops.convert_to_numpy(old), keras.ops.convert_to_numpy(new))
        assert any(not v.trainable for v in model.variables)
        if sampler.image_shape is not None:
            # Batch normalisation's moving statistics have left their starting values.
            moving = [v for v in model.variables if "moving_variance" in v.path]
            assert moving and not np.allclose(keras.ops.convert_to_numpy(moving[0]), 1.0)


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_and_joblib_still_work(numeric_file, dump, tmp_path):
    sampler, _, label = numeric_file
    if dump == "pickle":
        copy_ = pickle.loads(pickle.dumps(sampler))
    else:
        joblib.dump(sampler, tmp_path / "sampler.joblib")
        copy_ = joblib.load(tmp_path / "sampler.joblib")
    assert_same_rows(
        sampler.sample(30, label, random_state=1), copy_.sample(30, label, random_state=1)
    )


def test_load_never_unpickles(numeric_file, monkeypatch):
    sampler, path, label = numeric_file

    def refuse(*args, **kwargs):
        raise AssertionError("load unpickled something")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    loaded = load(path)
    monkeypatch.undo()
    assert_same_rows(
        sampler.sample(10, label, random_state=2), loaded.sample(10, label, random_state=2)
    )


def test_unfitted_sampler_cannot_be_saved(tmp_path):
    with pytest.raises(NotFittedError):
        VAEOverSampler().save(tmp_path / "sampler.zip")
    assert not list(tmp_path.iterdir())


def test_callable_sampling_strategy_is_refused_at_save(numeric_file, tmp_path):
    sampler = copy.copy(numeric_file[0]).set_params(sampling_strategy=lambda y: {1.0: 10})
    with pytest.raises(ValueError, match="Parameter sampling_strategy=.* cannot be saved"):
        sampler.save(tmp_path / "sampler.zip")
    # Nothing is left behind, not even a partial file.
    assert not list(tmp_path.iterdir())


def rewrite(path, out, changes=None, rehash=False, manifest=None):
    """Copy the archive at ``path`` to ``out`` with members replaced (bytes) or dropped
    (None); ``rehash`` updates the manifest's hashes, ``manifest`` updates its fields."""
    changes = changes or {}
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    for name, data in changes.items():
        if data is None:
            del members[name]
        else:
            members[name] = data
    info = json.loads(members["manifest.json"])
    if rehash:
        for name in changes:
            if changes[name] is not None and name in info["members"]:
                info["members"][name] = hashlib.sha256(changes[name]).hexdigest()
    info.update(manifest or {})
    members["manifest.json"] = json.dumps(info).encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return out


def read_member(path, name):
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


@pytest.mark.parametrize(
    "member", ["params.json", "state.json", "arrays/0.npy", "arrays/3.npy", "models/0.keras"]
)
def test_altered_member_is_refused(numeric_file, tmp_path, member):
    path = numeric_file[1]
    data = bytearray(read_member(path, member))
    data[len(data) // 2] ^= 0x01
    altered = rewrite(path, tmp_path / "altered.zip", {member: bytes(data)})
    with pytest.raises(ValueError, match=rf"SHA-256 of the member {re.escape(member)} "):
        load(altered)


@pytest.mark.parametrize("keep", [0.5, 0.99, 10])
def test_truncated_file_is_refused(numeric_file, tmp_path, keep):
    data = numeric_file[1].read_bytes()
    size = keep if isinstance(keep, int) else int(len(data) * keep)
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(data[:size])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        load(truncated)


def test_missing_and_unexpected_members_are_refused(numeric_file, tmp_path):
    path = numeric_file[1]
    missing = rewrite(path, tmp_path / "missing.zip", {"arrays/1.npy": None})
    with pytest.raises(ValueError, match=r"lacks the member arrays/1\.npy"):
        load(missing)
    extra = rewrite(path, tmp_path / "extra.zip", {"payload.py": b"print('hi')"})
    with pytest.raises(ValueError, match=r"member payload\.py, which its manifest does not list"):
        load(extra)
    no_manifest = tmp_path / "no_manifest.zip"
    with zipfile.ZipFile(no_manifest, "w") as archive:
        archive.writestr("state.json", "{}")
    with pytest.raises(ValueError, match=r"manifest\.json is missing"):
        load(no_manifest)


def _keras_with_config(data: bytes, edit) -> bytes:
    """The ``.keras`` archive ``data`` with ``edit`` applied to its config.json."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            member = source.read(name)
            if name == "config.json":
                config = json.loads(member)
                edit(config)
                member = json.dumps(config).encode()
            target.writestr(name, member)
    return out.getvalue()


def _as_eval(config):
    config.update(module="builtins", class_name="eval", registered_name="builtins>eval")


def _unknown_class(config):
    config.update(class_name="Unknown", registered_name="vae_oversampler>Unknown")


def _keras_class_of_ours(config):
    # A real Keras class, under the library's module: still not one of the library's models.
    config.update(module="keras.src.models.model", class_name="Model", registered_name=None)


def _nested_eval(config):
    config["config"]["dtype"] = {
        "module": "builtins",
        "class_name": "eval",
        "config": {"name": "float32"},
        "registered_name": "builtins>eval",
    }


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_as_eval, r"names the class 'eval' \(registered as 'builtins>eval'"),
        (_unknown_class, "names the class 'Unknown'"),
        (_keras_class_of_ours, "names the class 'Model'"),
        (_nested_eval, r"holds a configuration that the library does not write \(dtype must"),
    ],
)
def test_model_of_a_foreign_class_is_refused_before_keras_reads_it(
    numeric_file, tmp_path, monkeypatch, edit, message
):
    path = numeric_file[1]
    model = _keras_with_config(read_member(path, "models/0.keras"), edit)
    forged = rewrite(path, tmp_path / "forged.zip", {"models/0.keras": model}, rehash=True)

    def refuse(*args, **kwargs):
        raise AssertionError("Keras was asked to deserialise a refused model")

    monkeypatch.setattr(keras.saving, "load_model", refuse)
    with pytest.raises(ValueError, match=rf"models/0\.keras {message}"):
        load(forged)


@pytest.mark.parametrize(
    ("field", "written", "message"),
    [
        ("library_version", "0.0.1", r"vae_oversampler 0\.0\.1 .* vae_oversampler {ours}"),
        ("keras_version", "3.0.0", r"Keras 3\.0\.0 \(\w+\) and is loaded with Keras "),
    ],
)
def test_other_versions_load_with_a_warning(numeric_file, tmp_path, field, written, message):
    sampler, path, label = numeric_file
    older = rewrite(path, tmp_path / "older.zip", manifest={field: written})
    message = message.format(ours=re.escape(vae_oversampler.__version__))
    with pytest.warns(UserWarning, match=message):
        loaded = load(older)
    assert_same_rows(
        sampler.sample(10, label, random_state=3), loaded.sample(10, label, random_state=3)
    )


@pytest.mark.parametrize("name", ["__class__", "fit"])
def test_state_naming_other_attributes_is_refused(numeric_file, tmp_path, name):
    path = numeric_file[1]
    state = json.loads(read_member(path, "state.json"))
    state[name] = 1
    forged = rewrite(
        path, tmp_path / "forged.zip", {"state.json": json.dumps(state).encode()}, rehash=True
    )
    with pytest.raises(ValueError, match=f"malformed .*unknown attribute '{name}'"):
        load(forged)


@pytest.mark.parametrize(
    ("version", "message"),
    [(5, "format version 5 .* newer"), ("4", "unknown format version .4."), (0, "unknown")],
)
def test_unknown_or_newer_format_version_is_refused(numeric_file, tmp_path, version, message):
    newer = rewrite(numeric_file[1], tmp_path / "newer.zip", manifest={"format_version": version})
    with pytest.raises(ValueError, match=message):
        load(newer)


@pytest.mark.parametrize(
    "value",
    [
        1,
        np.int64(-3),
        np.uint8(7),
        1.5,
        np.float32(0.1),
        float("nan"),
        -math.inf,
        "a",
        np.str_("b"),
        True,
        np.bool_(False),
        None,
        (64, 64),
        [1, (2, 3)],
        {np.int64(1): 3, "x": [1.0], 2.5: None, False: "f"},
        OrderedDict([(np.str_("a"), np.int64(1))]),
        np.array([True, 1, 2.5, "s", np.int64(4), np.str_("t")], dtype=object),
        np.array([0.5, 1.5]),
        np.array([[1, 2]], dtype=np.int16),
        np.array(["a", "bc"]),
        np.dtype("float32"),
        np.float32,
        pd.CategoricalDtype([3, 1, 2], ordered=True),
        pd.CategoricalDtype([True, False]),
        pd.StringDtype(),
        pd.Index(["a", "b"], name="columns"),
        pd.RangeIndex(4),
        pd.Series([np.dtype("int8"), pd.CategoricalDtype(["b", "a"])], index=["x", "y"]),
    ],
)
def test_typed_json_keeps_types(value):
    encoded = json.loads(json.dumps(Encoder().encode(value), allow_nan=False))
    decoded = Decoder(reader=None).decode(encoded)
    if isinstance(value, pd.Index | pd.Series):
        assert type(decoded) is type(value) and decoded.equals(value)
        assert decoded.dtype == value.dtype and decoded.name == value.name
    elif isinstance(value, pd.api.extensions.ExtensionDtype):
        assert type(decoded) is type(value) and decoded == value
        if isinstance(value, pd.CategoricalDtype):
            assert list(decoded.categories) == list(value.categories)
    else:
        assert_same_value(decoded, value)


@pytest.mark.parametrize("value", [print, object(), np.datetime64("2020-01-01"), 1j])
def test_values_without_a_safe_form_are_refused(numeric_file, tmp_path, value):
    sampler = copy.copy(numeric_file[0]).set_params(categorical_features=value)
    with pytest.raises(ValueError, match="categorical_features=.* cannot be saved"):
        sampler.save(tmp_path / "sampler.zip")


def test_import_does_not_import_keras():
    code = (
        "import sys, vae_oversampler; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "False"], result.stderr


DATA = Path(__file__).parent / "data"


def test_files_of_format_1_still_load():
    """Files written by the release before the generators (format version 1, commit eb73e5f)
    load and sample; on TensorFlow, where they were written, the rows are those that release's
    own sample() gave, bit for bit."""
    table = load(DATA / "sampler_format1_table.zip")
    new = table.sample(40, 1, random_state=0)
    expected = json.loads((DATA / "sampler_format1_table_rows.json").read_text())
    assert [str(d) for d in new.dtypes] == expected.pop("dtypes")
    assert list(new.columns) == list(expected)
    exact = keras.backend.backend() == "tensorflow"
    for name, values in expected.items():
        got = [None if pd.isna(v) else v for v in new[name]]
        assert len(got) == len(values)
        if exact:
            assert got == values, name
    assert set(new["size"]) <= {"S", "M", "L"}
    assert set(new["colour"].dropna()) <= {"red", "green", "blue"}
    assert new["colour"].isna().any() or not exact

    images = load(DATA / "sampler_format1_image.zip")
    pixels = images.sample(10, 1, random_state=0)
    assert pixels.dtype == np.uint8 and pixels.shape == (10, 64)
    if exact:
        np.testing.assert_array_equal(pixels, np.load(DATA / "sampler_format1_image_rows.npy"))


def test_files_of_format_2_keep_their_clipped_output_variance():
    """A file of format 2 (commit e1bfa7c, ``docs/history/format2_fixture.py``) names no
    ``output_variance``: its models keep the hard clip they were trained with, and with
    ``decoder_output="sample"``, which reads that variance, they sample the rows they did."""
    sampler = load(DATA / "sampler_format2_sample.zip")
    assert sampler.vaes_[1].output_variance == "clip"
    rows = sampler.sample(20, 1, random_state=0)
    expected = np.load(DATA / "sampler_format2_sample_rows.npy")
    assert rows.shape == expected.shape == (20, 4)
    if keras.backend.backend() == "tensorflow":
        np.testing.assert_array_equal(rows, expected)
    else:
        np.testing.assert_allclose(rows, expected, rtol=1e-4, atol=1e-4)
