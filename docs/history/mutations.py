# ruff: noqa: E501
"""Apply one mutation at a time to src/, run the tests that should catch it, restore
(issues 28 and 29: each new or changed test shown to fail on a deliberately broken copy).

    python docs/history/mutations.py ["mutation name" ...]   # from the repository root
"""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
S = ROOT / "src/vae_oversampler"
M = [
    (
        "clip skipped",
        S / "_data/codec.py",
        "        if clip:\n            np.clip(numeric, codec.low, codec.high, out=numeric)",
        "        if False:\n            np.clip(numeric, codec.low, codec.high, out=numeric)",
        [
            "tests/test_faults.py::test_values_whose_squares_overflow_are_scaled_and_come_back_finite"
        ],
    ),
    (
        "a global NumPy draw in generate",
        S / "_generation/generator.py",
        "        out = self._draw(n_samples, rng, sampling)\n",
        "        out = self._draw(n_samples, rng, sampling)\n        np.random.random()\n",
        ["tests/test_sampler.py::test_global_random_states_untouched_by_fit_and_sample"],
    ),
    (
        "a global NumPy draw in plot_samples",
        S / "plotting.py",
        "    plt = _pyplot()\n    _check_class(sampler, class_label)\n    new = _dense(",
        "    plt = _pyplot()\n    np.random.random()\n    _check_class(sampler, class_label)\n    new = _dense(",
        ["tests/test_plotting.py::test_plotting_does_not_change_numpy_global_state"],
    ),
    (
        "residuals tripled",
        S / "_generation/generator.py",
        "                numeric += origins.blend(self.residuals)",
        "                numeric += 3 * origins.blend(self.residuals)",
        ["tests/test_sampler.py::test_residual_output_keeps_the_rows_correlated_detail"],
    ),
    (
        "pickle allowed",
        S / "_persistence/archive.py",
        "                if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.shape:\n                    raise",
        "                if False:\n                    raise",
        ["tests/test_loader.py::test_an_object_array_member_is_refused_even_when_rehashed"],
    ),
    (
        "safe_mode off",
        S / "_persistence/archive.py",
        "compile=False, safe_mode=True)",
        "compile=False, safe_mode=False)",
        ["tests/test_loader.py::test_keras_loads_each_model_in_safe_mode"],
    ),
    (
        "a model kept per call",
        S / "_training/pool.py",
        "    model, optimizer_start = entry\n",
        "    model, optimizer_start = entry\n    _LEAK.append(_new_compiled_model(architecture, steps_per_execution))\n",
        ["tests/test_memory.py::test_memory_stays_flat_over_a_grid_search_of_fit_resample_calls"],
    ),
    (
        "learning rate ignored",
        S / "_training/pool.py",
        "    model.optimizer.learning_rate = learning_rate\n",
        "    model.optimizer.learning_rate = 0.0\n",
        ["tests/test_backends.py"],
    ),
    (
        "latent_dim auto capped at 7",
        S / "_training/train.py",
        "min(n_features, 8) if latent_dim",
        "min(n_features, 7) if latent_dim",
        ["tests/test_sampler.py::test_latent_dim_auto_is_the_columns_the_vae_reads_up_to_8"],
    ),
    (
        "tables' auto is interpolate",
        S / "_sampler.py",
        '            mode = "posterior" if self.image_shape is None else "interpolate"',
        '            mode = "interpolate"',
        ["tests/test_sampler.py::test_tables_latent_sampling_auto_is_posterior"],
    ),
    (
        "verbose=2 silent",
        S / "_training/train.py",
        "def _fit_verbosity(config):\n",
        "def _fit_verbosity(config):\n    return 0\n",
        ["tests/test_sampler.py::test_verbose"],
    ),
    (
        "batch not capped",
        S / "_training/train.py",
        "        return min(int(batch_size), max(n_train, AUTO_BATCH_SIZE))",
        "        return int(batch_size)",
        ["tests/test_bounds.py::test_a_huge_batch_lays_out_what_a_batch_of_the_whole_class_does"],
    ),
    (
        "config check off",
        S / "_persistence/archive.py",
        "            weights = check_model_config(config, class_name)",
        "            weights = 0",
        [
            "tests/test_loader.py::test_model_configs_are_checked_key_for_key_before_keras_sees_them"
        ],
    ),
    (
        "bases not restored",
        S / "_persistence/archive.py",
        "                if cls.__bases__ != original:\n                    cls.__bases__ = original",
        "                pass",
        ["tests/test_loader.py::test_a_refused_file_leaves_the_library_working"],
    ),
]
only = sys.argv[1:]
for name, path, old, new, tests in M:
    if only and name not in only:
        continue
    text = path.read_text()
    assert text.count(old) == 1, (name, text.count(old))
    mutated = text.replace(old, new)
    if name == "pickle allowed":
        mutated = mutated.replace(
            "array = np.load(member, allow_pickle=False)",
            "array = np.load(member, allow_pickle=True)",
        )
        mutated = mutated.replace(
            "                if expected != size:", "                if False:"
        )
    if "_LEAK" in new:
        mutated = mutated.replace(
            "def _new_compiled_model(", "_LEAK = []\n\n\ndef _new_compiled_model(", 1
        )
    if "np.random.random()" in new and "import numpy as np" not in mutated:
        mutated = "import numpy as np\n" + mutated
    path.write_text(mutated)
    try:
        if not tests:
            print(f"{name}: (no test run)")
            continue
        done = subprocess.run(
            [
                str(ROOT / ".venv/bin/python"),
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-x",
                *tests,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]
        print(f"{name}: {'CAUGHT' if done.returncode else 'MISSED'} ({last})", flush=True)
    finally:
        path.write_text(text)
