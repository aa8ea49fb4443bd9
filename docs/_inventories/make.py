"""Write the intersphinx inventories that ``docs/conf.py`` reads, so that the docs build
needs no internet: ``python docs/_inventories/make.py`` (from the repository root, with the
``docs`` extra installed).

Each project's real ``objects.inv`` lives on its website, which a build machine without
internet cannot reach. These files list the names the documentation can link to instead:
every public class, function and method of scikit-learn and imbalanced-learn (from the
installed packages, at each site's URL pattern), and the NumPy, pandas, Keras, joblib,
matplotlib and Python names that the docstrings use. Links point at the projects' live sites.
Rerun it after upgrading those packages, and commit the result.
"""

import importlib
import inspect
import pkgutil
from pathlib import Path

import sphobjinv as soi

HERE = Path(__file__).parent


def _public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


def _walk(package: str):
    """(full name, object) of every public class and function of ``package``'s public
    modules, at the module path the project documents it under (its shortest public one)."""
    found: dict = {}
    root = importlib.import_module(package)
    modules = [package] + [
        info.name
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}.")
        if _public(info.name) and ".tests" not in info.name
    ]
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
        except Exception:  # an optional dependency of one module is missing
            continue
        names = getattr(module, "__all__", None)
        if names is None:  # the public names the module defines itself
            names = [
                attr
                for attr, obj in vars(module).items()
                if _public(attr) and getattr(obj, "__module__", None) == module_name
            ]
        for attr in names:
            obj = getattr(module, attr, None)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            full = f"{module_name}.{attr}"
            if id(obj) not in found or len(full) < len(found[id(obj)][0]):
                found[id(obj)] = (full, obj)
    return sorted(found.values(), key=lambda item: item[0])


def _add(inventory, name, role, uri, domain="py"):
    inventory.objects.append(
        soi.DataObjStr(name=name, domain=domain, role=role, priority="1", uri=uri, dispname="-")
    )


def _api_inventory(project, version, package, page):
    """An inventory of ``package``'s API: one page per class or function, ``page`` the URL
    pattern relative to the site's root, methods as anchors on their class's page."""
    inventory = soi.Inventory()
    inventory.project, inventory.version = project, version
    _add(inventory, package, "module", "index.html")
    for full, obj in _walk(package):
        uri = page.format(name=full)
        if inspect.isclass(obj):
            _add(inventory, full, "class", uri)
            for attr in dir(obj):
                if _public(attr) and inspect.isroutine(getattr(obj, attr, None)):
                    _add(
                        inventory, f"{full}.{attr}", "method", f"{uri.split('#')[0]}#{full}.{attr}"
                    )
        else:
            _add(inventory, full, "function", uri)
    return inventory


# Names of the other projects that the docs and docstrings link to, with their pages.
CURATED = {
    "numpy": (
        "NumPy",
        [
            ("numpy.ndarray", "class", "reference/generated/numpy.ndarray.html#numpy.ndarray"),
            (
                "numpy.random.RandomState",
                "class",
                "reference/random/legacy.html#numpy.random.RandomState",
            ),
            (
                "numpy.random.Generator",
                "class",
                "reference/random/generator.html#numpy.random.Generator",
            ),
            ("numpy.save", "function", "reference/generated/numpy.save.html#numpy.save"),
            ("numpy.load", "function", "reference/generated/numpy.load.html#numpy.load"),
            ("numpy.nan", "data", "reference/constants.html#numpy.nan"),
            ("numpy.float32", "class", "reference/arrays.scalars.html#numpy.float32"),
            ("numpy.float64", "class", "reference/arrays.scalars.html#numpy.float64"),
        ],
    ),
    "pandas": (
        "pandas",
        [
            ("pandas.DataFrame", "class", "reference/api/pandas.DataFrame.html#pandas.DataFrame"),
            ("pandas.Series", "class", "reference/api/pandas.Series.html#pandas.Series"),
            (
                "pandas.Categorical",
                "class",
                "reference/api/pandas.Categorical.html#pandas.Categorical",
            ),
            (
                "pandas.CategoricalDtype",
                "class",
                "reference/api/pandas.CategoricalDtype.html#pandas.CategoricalDtype",
            ),
            ("pandas.NA", "data", "reference/api/pandas.NA.html#pandas.NA"),
            (
                "pandas.get_dummies",
                "function",
                "reference/api/pandas.get_dummies.html#pandas.get_dummies",
            ),
        ],
    ),
    "keras": (
        "Keras",
        [
            ("keras.Model", "class", "api/models/model/"),
            ("keras.Model.fit", "method", "api/models/model_training_apis/#fit-method"),
            ("keras.layers.Layer", "class", "api/layers/base_layer/"),
            ("keras.callbacks.EarlyStopping", "class", "api/callbacks/early_stopping/"),
            ("keras.callbacks.Callback", "class", "api/callbacks/base_callback/"),
            ("keras.random.SeedGenerator", "class", "api/random/seed_generator/"),
            (
                "keras.saving.save_model",
                "function",
                "api/models/model_saving_apis/model_saving_and_loading/#savemodel-function",
            ),
            (
                "keras.saving.load_model",
                "function",
                "api/models/model_saving_apis/model_saving_and_loading/#loadmodel-function",
            ),
            (
                "keras.saving.register_keras_serializable",
                "function",
                "api/models/model_saving_apis/serialization_utils/#registerkerasserializable-function",
            ),
            ("keras.optimizers.Adam", "class", "api/optimizers/adam/"),
        ],
    ),
    "joblib": (
        "joblib",
        [
            ("joblib.Parallel", "class", "generated/joblib.Parallel.html#joblib.Parallel"),
            (
                "joblib.parallel_config",
                "class",
                "generated/joblib.parallel_config.html#joblib.parallel_config",
            ),
            ("joblib.dump", "function", "generated/joblib.dump.html#joblib.dump"),
            ("joblib.load", "function", "generated/joblib.load.html#joblib.load"),
        ],
    ),
    "matplotlib": (
        "Matplotlib",
        [
            (
                "matplotlib.figure.Figure",
                "class",
                "api/_as_gen/matplotlib.figure.Figure.html#matplotlib.figure.Figure",
            ),
            (
                "matplotlib.figure.Figure.savefig",
                "method",
                "api/_as_gen/matplotlib.figure.Figure.savefig.html#matplotlib.figure.Figure.savefig",
            ),
        ],
    ),
    "python": (
        "Python",
        [
            ("pickle", "module", "library/pickle.html#module-pickle"),
            ("zipfile", "module", "library/zipfile.html#module-zipfile"),
            ("dict", "class", "library/stdtypes.html#dict"),
            ("list", "class", "library/stdtypes.html#list"),
            ("tuple", "class", "library/stdtypes.html#tuple"),
            ("str", "class", "library/stdtypes.html#str"),
            ("int", "class", "library/functions.html#int"),
            ("float", "class", "library/functions.html#float"),
            ("bool", "class", "library/functions.html#bool"),
            ("object", "class", "library/functions.html#object"),
            ("None", "data", "library/constants.html#None"),
            ("ValueError", "exception", "library/exceptions.html#ValueError"),
            ("TypeError", "exception", "library/exceptions.html#TypeError"),
            ("RuntimeError", "exception", "library/exceptions.html#RuntimeError"),
            ("RuntimeWarning", "exception", "library/exceptions.html#RuntimeWarning"),
            ("UserWarning", "exception", "library/exceptions.html#UserWarning"),
            ("KeyboardInterrupt", "exception", "library/exceptions.html#KeyboardInterrupt"),
            ("os.PathLike", "class", "library/os.html#os.PathLike"),
        ],
    ),
}


def main() -> None:
    import imblearn
    import sklearn

    inventories = {
        "sklearn": _api_inventory(
            "scikit-learn", sklearn.__version__, "sklearn", "modules/generated/{name}.html#{name}"
        ),
        "imblearn": _api_inventory(
            "imbalanced-learn",
            imblearn.__version__,
            "imblearn",
            "references/generated/{name}.html#{name}",
        ),
    }
    for key, (project, entries) in CURATED.items():
        inventory = soi.Inventory()
        inventory.project, inventory.version = project, ""
        for name, role, uri in entries:
            _add(inventory, name, role, uri)
        inventories[key] = inventory
    for key, inventory in inventories.items():
        path = HERE / f"{key}.inv"
        soi.writebytes(path, soi.compress(inventory.data_file(contract=True)))
        print(f"{path}: {len(inventory.objects)} names")


if __name__ == "__main__":
    main()
