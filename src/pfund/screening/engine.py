"""Which screening engine runs: the modules compiled by mypyc at install, or the Python.

The compiled modules are the same source, built by ``setup.py`` into ``_compiled`` with
the hashes of the sources they were built from. They are used only when every source
is still the one compiled: in a working copy, an edited module would otherwise go on
running its old compiled self. ``PFUND_PURE_PYTHON=1`` asks for the Python modules (the
test suite does, so that tests can replace a module's functions; the compiled engine is
checked against the Python by ``tests/screening/test_compiled_engine.py``).
"""

import hashlib
import importlib.machinery
import json
import os
from collections.abc import MutableSequence
from pathlib import Path

HERE = Path(__file__).parent
COMPILED_DIR = HERE / "_compiled"
SOURCES = COMPILED_DIR / "sources.json"
PURE_VARIABLE = "PFUND_PURE_PYTHON"


def compiled_state() -> tuple[bool, str]:
    """Whether the compiled modules can be used, and if not, why."""
    if os.environ.get(PURE_VARIABLE) == "1":
        return False, f"{PURE_VARIABLE}=1"
    try:
        built = json.loads(SOURCES.read_text())
    except FileNotFoundError:
        return False, "not compiled at install"
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    for name, digest in built.items():
        if not any((COMPILED_DIR / f"{name}{suffix}").is_file() for suffix in suffixes):
            return False, f"{name} not compiled for this Python"
        if hashlib.sha256((HERE / f"{name}.py").read_bytes()).hexdigest() != digest:
            return False, f"{name}.py changed since it was compiled"
    return True, "compiled"


def choose(path: MutableSequence[str]) -> str:
    """Put the compiled modules first on the package's ``path`` if they can be used;
    the engine that will run: "compiled", or "python (<why>)"."""
    usable, why = compiled_state()
    if not usable:
        return f"python ({why})"
    path.insert(0, str(COMPILED_DIR))
    return "compiled"
