"""The screening engine compiled with mypyc (pyproject.toml holds the rest of the build).

Screening a million-entity watchlist is Python-heavy work (parsing names, pairing words,
small array steps): compiled by mypyc from the same type-checked source it runs about
1.6 times as fast (bench/README.md). The compiled modules are built into
``pfund/screening/_compiled`` and used only while their sources are unchanged
(``pfund.screening.engine``); ``PFUND_PURE_PYTHON=1`` at install skips the build, and a
machine without a C compiler gets the pure-Python engine with a warning.

The modules' constants are ``Final``: compiled code reads a ``Final`` number as a C
constant, where a plain module global costs a dictionary lookup at every read (and
another module's, ``align.READING_MIN``, an attribute lookup), and the classes built in
the inner loops are plain classes (``align.Alignment``), whose ``__init__`` compiles,
not dataclasses, whose generated ``__init__`` runs as Python.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

SOURCE = Path("src/pfund/screening")
# The modules screening runs through, all of them: a module left out is called as Python
# from compiled code and back, which costs what compiling saves.
COMPILED = (
    "align",
    "entity_marks",
    "features",
    "index",
    "legal_forms",
    "lexicon",
    "matrices",
    "names",
    "phonetic",
    "pool_score",
    "score",
    "translit",
    "wording",
)
# The shared library of the compiled modules, beside their shims in ``_compiled``.
GROUP = "pfund.screening._compiled.engine"


class OptionalBuildExt(build_ext):
    """Build the compiled engine if the machine can; else say so and install the Python."""

    def run(self) -> None:
        if not self.extensions:
            return
        for extension in self.extensions:  # ``_compiled`` is no package: made here
            Path(self.get_ext_fullpath(extension.name)).parent.mkdir(parents=True, exist_ok=True)
        self.parallel = self.parallel or os.cpu_count() or 1  # one compiler a core
        try:
            super().run()
        except Exception as error:
            print(f"pfund: screening not compiled ({error}); using pure Python", file=sys.stderr)
            return
        # What it was built from: the package uses the compiled modules only while each
        # source is the one compiled (an edited source runs as Python until rebuilt).
        built = Path(self.get_ext_fullpath(f"pfund.screening._compiled.{COMPILED[0]}")).parent
        sources = {
            name: hashlib.sha256((SOURCE / f"{name}.py").read_bytes()).hexdigest()
            for name in COMPILED
        }
        (built / "sources.json").write_text(json.dumps(sources, indent=1, sort_keys=True))


def _extensions() -> list[object]:
    if os.environ.get("PFUND_PURE_PYTHON") == "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # a build without the build requirements (no isolation)
        print("pfund: mypyc missing; screening stays pure Python", file=sys.stderr)
        return []
    paths = [str(SOURCE / f"{name}.py") for name in COMPILED]
    # The build environment holds mypy and numpy: other third-party modules are typed Any
    # there, and pfund's own config (its pydantic plugin) is not read.
    options = ["--ignore-missing-imports", "--config-file=", "--python-version=3.11"]
    try:
        extensions = mypycify(options + paths, group_name=GROUP, opt_level="3")
    except BaseException as error:  # mypy exits with SystemExit on type errors
        print(f"pfund: screening not compiled ({error!r}); using pure Python", file=sys.stderr)
        return []
    for extension in extensions:
        # Each module's shim goes to ``_compiled`` beside the sources, where the package
        # finds it only while the sources are those it was built from.
        if extension.name.startswith("pfund.screening."):
            extension.name = "pfund.screening._compiled." + extension.name.rsplit(".", 1)[1]
    return extensions


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
