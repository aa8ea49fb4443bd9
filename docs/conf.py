"""Sphinx configuration of the vae-oversampler documentation.

Build from the repository root, with the ``docs`` extra installed::

    python3 -m sphinx -W --keep-going -b html docs docs/_build/html

No internet is needed: the intersphinx inventories are the files in ``_inventories/`` (see
``_inventories/make.py``), and the gallery's examples use data that ships with scikit-learn.
"""

import os
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

HERE = Path(__file__).parent

import vae_oversampler  # noqa: E402

project = "vae-oversampler"
author = "the vae-oversampler developers"
copyright = "2026, the vae-oversampler developers"
release = vae_oversampler.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_inventories", "history", "README.md", "**/README.md"]
templates_path = ["_templates"]

# A reference that does not resolve is a warning, and -W makes it an error.
nitpicky = True
nitpick_ignore = [
    # numpydoc's type words, which name no object
    ("py:class", "array-like"),
    ("py:class", "optional"),
]

# API reference
autosummary_generate = True
autodoc_default_options = {"members": False, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Links to other projects, read from the local inventories.
INVENTORIES = HERE / "_inventories"
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", str(INVENTORIES / "python.inv")),
    "numpy": ("https://numpy.org/doc/stable/", str(INVENTORIES / "numpy.inv")),
    "pandas": ("https://pandas.pydata.org/docs/", str(INVENTORIES / "pandas.inv")),
    "sklearn": ("https://scikit-learn.org/stable/", str(INVENTORIES / "sklearn.inv")),
    "imblearn": ("https://imbalanced-learn.org/stable/", str(INVENTORIES / "imblearn.inv")),
    "keras": ("https://keras.io/", str(INVENTORIES / "keras.inv")),
    "joblib": ("https://joblib.readthedocs.io/en/stable/", str(INVENTORIES / "joblib.inv")),
    "matplotlib": ("https://matplotlib.org/stable/", str(INVENTORIES / "matplotlib.inv")),
}

# The benchmark reports are markdown files that the benchmark scripts write.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# Gallery: examples/ is run, its figures and output captured.
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "doc_module": ("vae_oversampler",),
    "backreferences_dir": "generated/backreferences",
    "image_scrapers": ("matplotlib",),
    "show_memory": False,
    "abort_on_example_error": True,
}

html_theme = "pydata_sphinx_theme"
html_title = f"vae-oversampler {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "auto_examples/index": []}
html_show_sourcelink = False

warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(tensorflow|keras).*")
